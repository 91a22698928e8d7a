import { secretsEqual } from './secret-compare.js';

const MAX_DEPARTED = 10_000;

interface Departed {
  sessionId: string;
  resumeToken: string;
  lastRequestId: number;
}

/**
 * A short memory of destroyed connections. A client that comes back after the grace rejoins with a
 * new connection and names its old one (with the old resume token); learning the old connection's last
 * processed request id lets it re-send exactly the signals that never arrived. Bounded by count.
 */
export class DepartedConnections {
  readonly #entries = new Map<string, Departed>();

  remember(connectionId: string, entry: Departed): void {
    this.#entries.set(connectionId, entry);
    if (this.#entries.size > MAX_DEPARTED) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
  }

  /** The old connection's last request id, if the caller proves it owned it. Usable once. */
  claim(connectionId: string, sessionId: string, resumeToken: string): number | undefined {
    const entry = this.#entries.get(connectionId);
    if (!entry || entry.sessionId !== sessionId || !secretsEqual(entry.resumeToken, resumeToken)) {
      return undefined;
    }
    this.#entries.delete(connectionId);
    return entry.lastRequestId;
  }
}
