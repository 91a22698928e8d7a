import { secretsEqual } from './secret-compare.js';

export interface Departed {
  sessionId: string;
  resumeToken: string;
  lastRequestId: number;
}

/**
 * A short memory of destroyed connections. A client that comes back after the grace rejoins with a new
 * connection and names its old one (with the old resume token); learning the old connection's last
 * processed request id lets it re-send exactly the requests that were never processed. In a deployment
 * the old connection may have lived on another node, so the store is shared (`RedisDepartedStore`).
 * Both implementations pass `test/departed-store-contract.ts`.
 */
export interface DepartedStore {
  remember(connectionId: string, entry: Departed): Promise<void>;
  /** The old connection's last request id, if the caller proves it owned it. Usable once. */
  claim(connectionId: string, sessionId: string, resumeToken: string): Promise<number | undefined>;
}

/** One process's store, bounded by count (the oldest go first). */
export class MemoryDepartedStore implements DepartedStore {
  readonly #entries = new Map<string, Departed>();
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  async remember(connectionId: string, entry: Departed): Promise<void> {
    this.#entries.delete(connectionId);
    this.#entries.set(connectionId, { ...entry });
    if (this.#entries.size > this.#max) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
  }

  async claim(connectionId: string, sessionId: string, resumeToken: string): Promise<number | undefined> {
    const entry = this.#entries.get(connectionId);
    if (!entry || entry.sessionId !== sessionId || !secretsEqual(entry.resumeToken, resumeToken)) {
      return undefined;
    }
    this.#entries.delete(connectionId);
    return entry.lastRequestId;
  }
}
