import { VigilError } from '@vigil/protocol';

const STREAM_CREATED_DEADLINE_MS = 10_000;

interface TimerPort {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * `publish()` resolves when the server announces the new stream. A waiter is registered before the
 * request goes out: with some WebSocket implementations the ack and the `streamCreated` behind it are
 * dispatched in one go, before the awaiting code runs again.
 */
export class CreatedWaiters {
  readonly #timers: TimerPort;
  readonly #waiting = new Map<string, () => void>();

  constructor(timers: TimerPort) {
    this.#timers = timers;
  }

  /** Resolves when `created(streamId)` is called; rejects after 10 s. `cancel` drops the wait. */
  wait(streamId: string): { done: Promise<void>; cancel: () => void } {
    let cancel = (): void => {};
    const done = new Promise<void>((resolve, reject) => {
      const timer = this.#timers.setTimeout(() => {
        this.#waiting.delete(streamId);
        reject(new VigilError('REQUEST_TIMEOUT', 'The stream was not announced in time.'));
      }, STREAM_CREATED_DEADLINE_MS);
      this.#waiting.set(streamId, () => {
        this.#waiting.delete(streamId);
        this.#timers.clearTimeout(timer);
        resolve();
      });
      cancel = () => {
        this.#waiting.delete(streamId);
        this.#timers.clearTimeout(timer);
      };
    });
    return { done, cancel };
  }

  created(streamId: string): void {
    this.#waiting.get(streamId)?.();
  }
}
