/**
 * A clock that moves only when told. Timers fire in due-time order (ties in creation order) as
 * `advance()` passes them, so liveness logic can be checked at value − 1 ms, value and value + 1 ms.
 */
export class ManualClock {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, { due: number; seq: number; fn: () => void }>();

  constructor(startMs = 1_800_000_000_000) {
    this.#now = startMs;
  }

  now = (): number => this.#now;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.#seq;
    this.#timers.set(id, { due: this.#now + Math.max(0, ms), seq: id, fn });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.#timers.delete(handle as number);
  };

  /** Moves time forward by `ms`, running every timer that falls due on the way (bounded). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (let guard = 0; guard < 100_000; guard += 1) {
      const next = [...this.#timers.entries()]
        .filter(([, t]) => t.due <= target)
        .sort(([, a], [, b]) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) {
        this.#now = target;
        return;
      }
      const [id, timer] = next;
      this.#timers.delete(id);
      this.#now = timer.due;
      timer.fn();
    }
    throw new Error('ManualClock.advance: more than 100 000 timers fired; a timer loop?');
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }
}
