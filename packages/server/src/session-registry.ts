import type { DisconnectReason, MediaMode } from '@vigil/protocol';
import { encodeMessage, type Connection } from './connection.js';
import type { Logger } from './logger.js';
import type { Outbox } from './outbox.js';
import type { ServerStream } from './streams/server-stream.js';

/** A live session: its members, in join order. Created on first join, dropped when the last leaves. */
export interface Session {
  readonly id: string;
  readonly mediaMode: MediaMode;
  readonly connections: Map<string, Connection>;
  /** Published streams by id, oldest first (see `streams/stream-service.ts`). */
  readonly streams: Map<string, ServerStream>;
}

/**
 * Who is in which session. Owns membership changes and announces them, so every join is one
 * `connectionCreated` and every exit exactly one `connectionDestroyed` with a reason.
 */
export class SessionRegistry {
  readonly #sessions = new Map<string, Session>();
  readonly #outbox: Outbox;
  readonly #log: Logger;
  /** Called after a connection joined. */
  onJoined: (connection: Connection) => void = () => {};
  /** Called while a leaving connection is still a member, so its streams go first (streamDestroyed, then connectionDestroyed). */
  onLeaving: (session: Session, connection: Connection, reason: DisconnectReason) => void = () => {};
  /** Called after a connection left, so liveness and the socket can be cleaned up. */
  onDestroyed: (connection: Connection, reason: DisconnectReason) => void = () => {};
  /** Called when a signal addressed to one connection finds it away (push wake-up, docs/push.md). */
  onSignalWhileAway: (connection: Connection, bytes: Buffer) => void = () => {};

  constructor(outbox: Outbox, log: Logger) {
    this.#outbox = outbox;
    this.#log = log;
  }

  get(sessionId: string): Session | undefined {
    return this.#sessions.get(sessionId);
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  *allConnections(): Iterable<Connection> {
    for (const session of this.#sessions.values()) {
      yield* session.connections.values();
    }
  }

  /** Adds a connection and tells the others. Returns the members that were already there. */
  join(connection: Connection, mediaMode: MediaMode): Connection[] {
    let session = this.#sessions.get(connection.sessionId);
    if (!session) {
      session = { id: connection.sessionId, mediaMode, connections: new Map(), streams: new Map() };
      this.#sessions.set(session.id, session);
    }
    const existing = [...session.connections.values()];
    session.connections.set(connection.id, connection);
    this.onJoined(connection);
    this.broadcast(session, encodeMessage({ type: 'connectionCreated', connection: connection.info() }), connection);
    this.#log.info('join()', { session: session.id, connection: connection.id, members: session.connections.size });
    return existing;
  }

  /** Removes a connection once; later calls are no-ops, so racing exits cannot announce twice. */
  destroy(connection: Connection, reason: DisconnectReason): void {
    if (connection.destroyedReason) {
      return;
    }
    connection.destroyedReason = reason;
    const session = this.#sessions.get(connection.sessionId);
    if (session?.connections.get(connection.id) === connection) {
      this.onLeaving(session, connection, reason);
      session.connections.delete(connection.id);
      this.broadcast(session, encodeMessage({ type: 'connectionDestroyed', connectionId: connection.id, reason }));
      if (session.connections.size === 0) {
        this.#sessions.delete(session.id);
      }
    }
    this.#log.info('destroy()', { session: connection.sessionId, connection: connection.id, reason });
    this.onDestroyed(connection, reason);
  }

  /**
   * Ends every connection at once (server shutdown). Each is told its own reason by `onDestroyed`;
   * nobody is told about the others, since everyone is leaving — that would be O(n²) messages.
   */
  destroyAll(reason: DisconnectReason): void {
    for (const session of this.#sessions.values()) {
      for (const connection of session.connections.values()) {
        if (!connection.destroyedReason) {
          connection.destroyedReason = reason;
          this.onDestroyed(connection, reason);
        }
      }
    }
    this.#sessions.clear();
  }

  /** `droppable` frames (signals) may be dropped for a connection that is away and over its cap. */
  sendTo(connection: Connection, bytes: Buffer, droppable = false): boolean {
    return this.#outbox.send(connection, bytes, droppable);
  }

  /** Sends the same bytes to every member except `except`. */
  broadcast(session: Session, bytes: Buffer, except?: Connection, droppable = false): number {
    let delivered = 0;
    for (const member of session.connections.values()) {
      if (member !== except && this.#outbox.send(member, bytes, droppable)) {
        delivered += 1;
      }
    }
    return delivered;
  }
}
