import type { LivenessTimers } from '@vigil/protocol';
import type { ClientClock } from './clock.js';

export interface HeartbeatHooks {
  /** Sends a heartbeat (the session adds its frame count). */
  send: () => void;
  /** The server has been silent for `heartbeatTimeoutMs`: the link is gone. */
  silent: () => void;
  /** A timer fired far too late: the process was stopped (suspended) and has just resumed. */
  resumedFromSuspension: (gapMs: number) => void;
}

/**
 * Sends an application heartbeat every `heartbeatIntervalMs`, notices when the server has been silent
 * for `heartbeatTimeoutMs` (every ping gets a pong), and notices a large clock gap — the sign of a
 * process that was stopped by the OS, whose socket may now be a zombie.
 */
export class Heartbeat {
  readonly #clock: ClientClock;
  readonly #timers: LivenessTimers;
  readonly #hooks: HeartbeatHooks;
  #lastHeardAt: number;
  #scheduledAt: number;
  #handle: unknown;
  #stopped = false;

  constructor(clock: ClientClock, timers: LivenessTimers, hooks: HeartbeatHooks) {
    this.#clock = clock;
    this.#timers = timers;
    this.#hooks = hooks;
    this.#lastHeardAt = clock.now();
    this.#scheduledAt = clock.now();
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
    this.#scheduledAt = this.#clock.now();
    this.#handle = this.#clock.setTimeout(() => this.#beat(), this.#timers.heartbeatIntervalMs);
  }

  #beat(): void {
    if (this.#stopped) {
      return;
    }
    const now = this.#clock.now();
    const late = now - this.#scheduledAt - this.#timers.heartbeatIntervalMs;
    if (late > this.#timers.heartbeatTimeoutMs) {
      // Silence measured across a suspension says nothing about the link; probe it instead.
      this.#lastHeardAt = now;
      this.#send();
      this.#schedule();
      this.#hooks.resumedFromSuspension(late);
      return;
    }
    if (now - this.#lastHeardAt >= this.#timers.heartbeatTimeoutMs) {
      this.stop();
      this.#hooks.silent();
      return;
    }
    this.#send();
    this.#schedule();
  }

  #send(): void {
    this.#hooks.send();
  }
}
