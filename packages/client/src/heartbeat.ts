import type { LivenessTimers } from '@vigil/protocol';
import type { ClientClock } from './clock.js';

/**
 * Sends an application heartbeat every `heartbeatIntervalMs` and notices when the server has been
 * silent for `heartbeatTimeoutMs` (every ping gets a pong, so silence means the link is gone).
 */
export class Heartbeat {
  readonly #clock: ClientClock;
  readonly #timers: LivenessTimers;
  readonly #send: () => void;
  readonly #silent: () => void;
  #lastHeardAt: number;
  #handle: unknown;
  #stopped = false;

  constructor(clock: ClientClock, timers: LivenessTimers, hooks: { send: () => void; silent: () => void }) {
    this.#clock = clock;
    this.#timers = timers;
    this.#send = hooks.send;
    this.#silent = hooks.silent;
    this.#lastHeardAt = clock.now();
    this.#schedule();
  }

  heard(): void {
    this.#lastHeardAt = this.#clock.now();
  }

  stop(): void {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#handle);
  }

  #schedule(): void {
    this.#handle = this.#clock.setTimeout(() => this.#beat(), this.#timers.heartbeatIntervalMs);
  }

  #beat(): void {
    if (this.#stopped) {
      return;
    }
    if (this.#clock.now() - this.#lastHeardAt >= this.#timers.heartbeatTimeoutMs) {
      this.stop();
      this.#silent();
      return;
    }
    this.#send();
    this.#schedule();
  }
}
