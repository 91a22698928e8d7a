import type { Connection } from '../connection.js';

interface Tracked {
  bytes: Buffer;
  /** The connection's last frame number when this one was queued for it. */
  seq: number;
  expiresAt: number;
  key?: string;
}

const MAX_PER_CONNECTION = 256;

/**
 * Signals and invites addressed to an identity's connection while it was away. If the grace runs
 * out before it comes back, they were never written to any socket and would be lost with the
 * connection; instead they are held for the identity's next join.
 *
 * While a connection is away its frame counter stands still (frames wait unnumbered); a resume
 * numbers the waiting frames and moves the counter on. So a tracked frame is still undelivered at
 * destruction exactly when the counter has not moved since it was tracked.
 */
export class AwayFrames {
  readonly #frames = new Map<Connection, Tracked[]>();

  track(connection: Connection, bytes: Buffer, expiresAt: number, key?: string): void {
    const seq = connection.replay.seq;
    // Entries from before a resume were delivered by it: forget them.
    const list = (this.#frames.get(connection) ?? []).filter((entry) => entry.seq === seq);
    const entry: Tracked = { bytes, seq, expiresAt };
    if (key !== undefined) {
      entry.key = key;
    }
    list.push(entry);
    if (list.length > MAX_PER_CONNECTION) {
      list.shift();
    }
    this.#frames.set(connection, list);
  }

  /** Removes the connection's entries and returns those never delivered (call before its replay is cleared). */
  takeUndelivered(connection: Connection): Omit<Tracked, 'seq'>[] {
    const list = this.#frames.get(connection) ?? [];
    this.#frames.delete(connection);
    const seq = connection.replay.seq;
    return list.filter((entry) => entry.seq === seq).map(({ bytes, expiresAt, key }) => (key === undefined ? { bytes, expiresAt } : { bytes, expiresAt, key }));
  }
}
