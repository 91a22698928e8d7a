import { VigilError } from '@vigil/protocol';
import type { ClientClock } from './clock.js';

interface Pending {
  resolve: () => void;
  reject: (error: VigilError) => void;
  timer: unknown;
}

/**
 * Requests waiting for their `ack` or `error`. Each id is answered once; on disconnect every pending
 * request is rejected, so no promise is left hanging.
 */
export class PendingRequests {
  readonly #pending = new Map<number, Pending>();
  readonly #clock: ClientClock;
  readonly #timeoutMs: number;
  #nextId = 1;

  constructor(clock: ClientClock, timeoutMs: number) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  /** Allocates an id and a promise settled by `settle(id, …)` or the timeout. */
  open(): { id: number; done: Promise<void> } {
    const id = this.#nextId;
    // Wrap well before the protocol's 2^31 - 1 limit.
    this.#nextId = this.#nextId >= 2 ** 31 - 2 ? 1 : this.#nextId + 1;
    const done = new Promise<void>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        this.#pending.delete(id);
        reject(new VigilError('REQUEST_TIMEOUT'));
      }, this.#timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
    });
    return { id, done };
  }

  settle(id: number, error?: VigilError): void {
    const pending = this.#pending.get(id);
    if (!pending) {
      return;
    }
    this.#pending.delete(id);
    this.#clock.clearTimeout(pending.timer);
    if (error) {
      pending.reject(error);
    } else {
      pending.resolve();
    }
  }

  rejectAll(error: VigilError): void {
    for (const id of [...this.#pending.keys()]) {
      this.settle(id, error);
    }
  }
}
