import type { ClientClock } from './clock.js';

export interface ReconnectOptions {
  /** First retry delay ceiling. Default 250 ms. */
  baseDelayMs?: number;
  /** Largest delay ceiling; each retry waits a random time up to it ("full jitter"). Default 5 000 ms. */
  maxDelayMs?: number;
  /**
   * How long to keep trying, counting only time the app was able to run: a suspension (the process
   * stopped, a timer firing hours late) never uses it up. Default 300 000 ms.
   */
  budgetMs?: number;
}

/**
 * Capped exponential backoff with full jitter, and a retry budget in running time. `wait()` measures
 * each delay: time beyond the delay plus a little slack was spent suspended and is not charged.
 */
export class ReconnectPolicy {
  readonly #clock: ClientClock;
  readonly #base: number;
  readonly #cap: number;
  readonly #budget: number;
  readonly #random: () => number;
  #attempt = 0;
  #spentMs = 0;

  constructor(clock: ClientClock, options: ReconnectOptions = {}, random: () => number = Math.random) {
    this.#clock = clock;
    this.#base = options.baseDelayMs ?? 250;
    this.#cap = options.maxDelayMs ?? 5_000;
    this.#budget = options.budgetMs ?? 300_000;
    this.#random = random;
  }

  /** Running time spent reconnecting so far. */
  get spentMs(): number {
    return this.#spentMs;
  }

  /** The next delay, or `null` when the budget is used up. */
  nextDelay(): number | null {
    if (this.#spentMs >= this.#budget) {
      return null;
    }
    const ceiling = Math.min(this.#cap, this.#base * 2 ** Math.min(this.#attempt, 30));
    this.#attempt += 1;
    return Math.floor(this.#random() * ceiling);
  }

  /** Charges time spent on an attempt itself (connecting), capped like a wait. */
  charge(startedAt: number, expectedMs: number): void {
    const elapsed = this.#clock.now() - startedAt;
    this.#spentMs += Math.max(0, Math.min(elapsed, expectedMs + 1_000));
  }

  /** Waits `delayMs`, charging only the running part of it; `cancelled()` ends the wait early. */
  wait(delayMs: number, cancelled: () => boolean): Promise<void> {
    const startedAt = this.#clock.now();
    return new Promise((resolve) => {
      const tick = (): void => {
        if (cancelled()) {
          resolve();
          return;
        }
        this.charge(startedAt, delayMs);
        resolve();
      };
      this.#clock.setTimeout(tick, delayMs);
    });
  }

  /** Called when a probe found the link dead: the next attempt goes at once. */
  resetDelay(): void {
    this.#attempt = 0;
  }
}
