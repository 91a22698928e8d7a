import { VigilError } from '@vigil/protocol';
import type { ClientClock } from './clock.js';

interface Pending {
  /** The request as sent (with its id), kept for re-sending after a reconnect. */
  text: string;
  resolve: () => void;
  reject: (error: VigilError) => void;
  timer: unknown;
}

/**
 * Requests waiting for their `ack` or `error`. Ids only grow across the whole session (the server
 * treats a repeated id as a re-send), so after a reconnect every unanswered request can be sent again
 * safely. Timeouts run only while connected: a request made or in flight while the link is down waits
 * for the reconnect instead of failing.
 */
export class PendingRequests {
  readonly #pending = new Map<number, Pending>();
  readonly #clock: ClientClock;
  readonly #timeoutMs: number;
  #nextId = 1;
  #timersRunning = true;

  constructor(clock: ClientClock, timeoutMs: number) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  /** Registers a request; `body` gets its `id`. Returns the text to send and the settling promise. */
  open(body: Record<string, unknown>): { id: number; text: string; done: Promise<void> } {
    const id = this.#nextId;
    // Wrap well before the protocol's 2^31 - 1 limit (a session would need two billion requests).
    this.#nextId = this.#nextId >= 2 ** 31 - 2 ? 1 : this.#nextId + 1;
    const text = JSON.stringify({ ...body, id });
    const done = new Promise<void>((resolve, reject) => {
      const pending: Pending = { text, resolve, reject, timer: undefined };
      this.#pending.set(id, pending);
      if (this.#timersRunning) {
        this.#arm(id, pending);
      }
    });
    return { id, text, done };
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

  /** Requests up to `lastId` were processed by the server (whose reply was lost with the old link). */
  settleUpTo(lastId: number): void {
    for (const id of [...this.#pending.keys()]) {
      if (id <= lastId) {
        this.settle(id);
      }
    }
  }

  /** Stops timeouts while the link is down. */
  pause(): void {
    this.#timersRunning = false;
    for (const pending of this.#pending.values()) {
      this.#clock.clearTimeout(pending.timer);
      pending.timer = undefined;
    }
  }

  /** Restarts timeouts and returns the requests to (re-)send, oldest first, after `afterId`. */
  resumeAfter(afterId: number): string[] {
    this.#timersRunning = true;
    const texts: string[] = [];
    for (const [id, pending] of [...this.#pending.entries()].sort(([a], [b]) => a - b)) {
      if (id > afterId) {
        texts.push(pending.text);
        this.#arm(id, pending);
      }
    }
    return texts;
  }

  rejectAll(error: VigilError): void {
    for (const id of [...this.#pending.keys()]) {
      this.settle(id, error);
    }
  }

  #arm(id: number, pending: Pending): void {
    pending.timer = this.#clock.setTimeout(() => {
      this.#pending.delete(id);
      pending.reject(new VigilError('REQUEST_TIMEOUT'));
    }, this.#timeoutMs);
  }
}
