import type { DisconnectReason, Role } from '@vigil/protocol';
import type { Connection } from './connection.js';

/** What stays known about a connection after it left, for `GET …/connection/:connectionId`. */
export interface ExitedConnection {
  connectionId: string;
  sessionId: string;
  role: Role;
  data: string;
  creationTime: number;
  destroyedAt: number;
  reason: DisconnectReason;
}

/** Matches the timeline's retention, so an exited connection's record and its history go together. */
const MAX_EXITED = 1_000;

/**
 * The last 1 000 connections that exited, oldest forgotten first. Keeping the session id is what lets
 * the REST route refuse a connection id asked for under another session (or another project's key).
 */
export class ExitedConnections {
  readonly #entries = new Map<string, ExitedConnection>();

  remember(connection: Connection, reason: DisconnectReason, atMs: number): void {
    this.#entries.delete(connection.id);
    this.#entries.set(connection.id, {
      connectionId: connection.id,
      sessionId: connection.sessionId,
      role: connection.role,
      data: connection.data,
      creationTime: connection.creationTime,
      destroyedAt: atMs,
      reason,
    });
    if (this.#entries.size > MAX_EXITED) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
  }

  get(connectionId: string): ExitedConnection | undefined {
    return this.#entries.get(connectionId);
  }
}
