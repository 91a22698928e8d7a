import type { Connection } from './connection.js';

/** One timestamped step in a connection's life: joined, a state change, or its exit. */
export interface TimelineEntry {
  /** Milliseconds since the epoch (server clock). */
  at: number;
  /** `joined`, a connection state (`active`, `background`, `reconnecting`, …) or `destroyed`. */
  state: string;
  reason: string;
}

const MAX_ENTRIES_PER_CONNECTION = 200;
const MAX_RETAINED_EXITED = 1_000;

/**
 * Per-connection lifecycle history, readable over REST. Bounded: each connection keeps its last 200
 * steps, and only the last 1 000 exited connections are remembered.
 */
export class ConnectionTimeline {
  readonly #now: () => number;
  readonly #live = new Map<string, TimelineEntry[]>();
  readonly #exited = new Map<string, TimelineEntry[]>();

  constructor(now: () => number) {
    this.#now = now;
  }

  record(connection: Connection, state: string, reason: string): void {
    let entries = this.#live.get(connection.id);
    if (!entries) {
      entries = [];
      this.#live.set(connection.id, entries);
    }
    entries.push({ at: this.#now(), state, reason });
    if (entries.length > MAX_ENTRIES_PER_CONNECTION) {
      entries.splice(0, entries.length - MAX_ENTRIES_PER_CONNECTION);
    }
    if (state === 'destroyed') {
      this.#live.delete(connection.id);
      this.#exited.set(connection.id, entries);
      if (this.#exited.size > MAX_RETAINED_EXITED) {
        const oldest = this.#exited.keys().next().value as string;
        this.#exited.delete(oldest);
      }
    }
  }

  get(connectionId: string): readonly TimelineEntry[] | undefined {
    return this.#live.get(connectionId) ?? this.#exited.get(connectionId);
  }
}
