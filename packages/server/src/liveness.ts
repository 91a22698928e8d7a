import type { LivenessTimers } from '@vigil/protocol';
import type { Clock } from './clock.js';
import type { Connection } from './connection.js';

/**
 * Application-level liveness. A stopped browser page still answers WebSocket pings from its network
 * process, so only messages from the client's JavaScript count. Silence for `heartbeatTimeoutMs` calls
 * `onSilent`. One timer per connection, re-armed lazily: hearing a message only stamps the time.
 */
export class Liveness {
  readonly #clock: Clock;
  readonly #timers: LivenessTimers;
  readonly #onSilent: (connection: Connection) => void;

  constructor(clock: Clock, timers: LivenessTimers, onSilent: (connection: Connection) => void) {
    this.#clock = clock;
    this.#timers = timers;
    this.#onSilent = onSilent;
  }

  watch(connection: Connection): void {
    connection.lastHeardAt = this.#clock.now();
    this.#arm(connection, this.#timers.heartbeatTimeoutMs);
  }

  heard(connection: Connection): void {
    connection.lastHeardAt = this.#clock.now();
  }

  stop(connection: Connection): void {
    if (connection.livenessTimer !== undefined) {
      this.#clock.clearTimeout(connection.livenessTimer);
      connection.livenessTimer = undefined;
    }
  }

  #arm(connection: Connection, delayMs: number): void {
    connection.livenessTimer = this.#clock.setTimeout(() => {
      connection.livenessTimer = undefined;
      const silentFor = this.#clock.now() - connection.lastHeardAt;
      if (silentFor >= this.#timers.heartbeatTimeoutMs) {
        this.#onSilent(connection);
      } else {
        this.#arm(connection, this.#timers.heartbeatTimeoutMs - silentFor);
      }
    }, delayMs);
  }
}
