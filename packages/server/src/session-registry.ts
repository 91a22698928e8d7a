import type { ConnectionInfo, DisconnectReason, MediaMode } from '@vigil/protocol';
import type { BusFrame } from './cluster/bus-frame.js';
import type { ClusterLink } from './cluster/cluster-link.js';
import { HandoffCaptures } from './cluster/handoff-captures.js';
import { RemoteMembers } from './cluster/remote-members.js';
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
  /** Members held by other nodes of a multi-node deployment (always empty on a single node). */
  readonly remote: RemoteMembers;
}

/**
 * Who is in which session. Owns membership changes and announces them, so every join is one
 * `connectionCreated` and every exit exactly one `connectionDestroyed` with a reason.
 */
export class SessionRegistry {
  readonly #sessions = new Map<string, Session>();
  readonly #outbox: Outbox;
  readonly #log: Logger;
  readonly #cluster: ClusterLink | undefined;
  /** Frames kept for connections being handed to this node (`cluster/handoff-captures.ts`). */
  readonly captures = new HandoffCaptures();
  /** Called after a connection joined. */
  onJoined: (connection: Connection) => void = () => {};
  /** Called while a leaving connection is still a member, so its streams go first (streamDestroyed, then connectionDestroyed). */
  onLeaving: (session: Session, connection: Connection, reason: DisconnectReason) => void = () => {};
  /** Called after a connection left, so liveness and the socket can be cleaned up. */
  onDestroyed: (connection: Connection, reason: DisconnectReason) => void = () => {};
  /** Another node asks for `connection`, whose client resumed there (`cluster/handoff.ts`). */
  onHandoffRequest: (connection: Connection, frame: Extract<BusFrame, { kind: 'handoff' }>) => void = () => {};
  /** A client that rejoined on another node names its old connection, held here (token not checked yet). */
  onReleaseRequest: (connection: Connection, resumeToken: string) => void = () => {};
  /** The answer to a handoff this node asked for. */
  onHandoffAnswer: (sessionId: string, frame: Extract<BusFrame, { kind: 'handed' | 'refused' }>) => void = () => {};
  /** Called when a signal addressed to one connection finds it away (push wake-up, docs/push.md). */
  onSignalWhileAway: (connection: Connection, bytes: Buffer) => void = () => {};

  constructor(outbox: Outbox, log: Logger, cluster?: ClusterLink) {
    this.#outbox = outbox;
    this.#log = log;
    this.#cluster = cluster;
    if (cluster) {
      cluster.onFrame = (sessionId, frame, news) => this.#fromCluster(sessionId, frame, news);
    }
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

  /**
   * Adds a connection and tells the others, on every node. Returns the members that were already
   * there, oldest first. In a multi-node deployment the caller has `hold`-ed the session on the cluster.
   */
  join(connection: Connection, mediaMode: MediaMode): ConnectionInfo[] {
    let session = this.#sessions.get(connection.sessionId);
    if (!session) {
      const remote = this.#cluster?.members(connection.sessionId) ?? new RemoteMembers('');
      session = { id: connection.sessionId, mediaMode, connections: new Map(), streams: new Map(), remote };
      this.#sessions.set(session.id, session);
    }
    const local = [...session.connections.values()].map((c) => c.info());
    const existing = session.remote.size === 0 ? local : [...local, ...session.remote.list()].sort((a, b) => a.creationTime - b.creationTime);
    session.connections.set(connection.id, connection);
    this.onJoined(connection);
    const bytes = encodeMessage({ type: 'connectionCreated', connection: connection.info() });
    this.#localBroadcast(session, bytes, connection);
    this.#cluster?.memberJoined(session.id, connection.info(), bytes);
    this.#captureOwn(session.id, bytes, connection.id);
    this.#log.info('join()', { session: session.id, connection: connection.id, members: session.connections.size });
    return existing;
  }

  /** Tells every member, on every node, that `connection` changed state (`connection-grace.ts`). */
  stateChanged(connection: Connection, bytes: Buffer): void {
    const session = this.#sessions.get(connection.sessionId);
    if (session?.connections.get(connection.id) === connection) {
      this.#localBroadcast(session, bytes, connection);
      this.#cluster?.memberChanged(session.id, connection.info(), bytes);
      this.#captureOwn(session.id, bytes, connection.id);
    }
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
      const bytes = encodeMessage({ type: 'connectionDestroyed', connectionId: connection.id, reason });
      this.#localBroadcast(session, bytes);
      this.#cluster?.memberLeft(session.id, connection.id, bytes);
      this.#captureOwn(session.id, bytes, '');
      if (session.connections.size === 0) {
        this.#sessions.delete(session.id);
      }
    }
    this.#log.info('destroy()', { session: connection.sessionId, connection: connection.id, reason });
    this.onDestroyed(connection, reason);
    this.#cluster?.release(connection.sessionId);
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
          // Members on other nodes stay, so they are told, one frame per departure.
          this.#cluster?.memberLeft(session.id, connection.id, encodeMessage({ type: 'connectionDestroyed', connectionId: connection.id, reason }));
        }
      }
    }
    this.#sessions.clear();
  }

  /** `droppable` frames (signals) may be dropped for a connection that is away and over its cap. */
  sendTo(connection: Connection, bytes: Buffer, droppable = false): boolean {
    return this.#outbox.send(connection, bytes, droppable);
  }

  /**
   * Sends the same bytes to every member except `except`, on every node (one publish for all the
   * other nodes). Returns this node's deliveries.
   */
  broadcast(session: Session, bytes: Buffer, except?: Connection, droppable = false): number {
    // Published even when no remote member is known yet: one may have joined a moment ago.
    this.#cluster?.broadcast(session.id, bytes, except?.id, droppable);
    this.#captureOwn(session.id, bytes, except?.id ?? '', droppable);
    return this.#localBroadcast(session, bytes, except, droppable);
  }

  /**
   * Sends to this node's members only: for what other nodes cannot act on yet (stream events — media
   * is served by the node the publisher is on, see docs/scale-out.md).
   */
  broadcastLocal(session: Session, bytes: Buffer, except?: Connection, droppable = false): number {
    return this.#localBroadcast(session, bytes, except, droppable);
  }

  /** Sends to one member held by another node (a targeted signal); false when nobody holds it. */
  sendToRemote(session: Session, connectionId: string, bytes: Buffer, droppable: boolean): boolean {
    if (!this.#cluster || !session.remote.has(connectionId)) {
      return false;
    }
    this.#cluster.direct(session.id, connectionId, bytes, droppable);
    if (this.captures.active) {
      this.captures.offer(session.id, { kind: 'direct', node: '', to: connectionId, droppable, payload: bytes.toString() }, true);
    }
    return true;
  }

  /** Removes a member held by another node (its node announces the departure). */
  kickRemote(session: Session, connectionId: string, reason: DisconnectReason): boolean {
    if (!this.#cluster || !session.remote.has(connectionId)) {
      return false;
    }
    this.#cluster.kick(session.id, connectionId, reason);
    this.captures.offer(session.id, { kind: 'kick', node: '', to: connectionId, reason }, true);
    return true;
  }

  /**
   * Redis came back after an outage and the session's remote members were re-read: local members
   * learn who joined or left elsewhere meanwhile (departures without a known reason count as network loss).
   */
  resynced(sessionId: string, before: ReadonlyMap<string, ConnectionInfo>): void {
    const session = this.#sessions.get(sessionId);
    if (!session) {
      return;
    }
    for (const info of session.remote.list()) {
      if (!before.has(info.id)) {
        this.#localBroadcast(session, encodeMessage({ type: 'connectionCreated', connection: info }));
      }
    }
    for (const id of before.keys()) {
      if (!session.remote.has(id)) {
        this.#localBroadcast(session, encodeMessage({ type: 'connectionDestroyed', connectionId: id, reason: 'networkDisconnected' }));
      }
    }
  }

  /**
   * A connection this node handed over whose state never reached the other node: it is gone, and
   * everyone is told once, here and (when Redis allows) elsewhere.
   */
  lostInHandoff(sessionId: string, connectionId: string, bytes: Buffer): void {
    const session = this.#sessions.get(sessionId);
    if (session?.remote.delete(connectionId)) {
      this.#localBroadcast(session, bytes);
    }
    this.#cluster?.memberLeft(sessionId, connectionId, bytes);
  }

  /**
   * Removes a connection that moved to another node, silently: it is not gone, so nobody is told, and
   * none of the exit bookkeeping runs. This node now sees it as a remote member held by `toNode`.
   */
  detach(connection: Connection, toNode: string): void {
    const session = this.#sessions.get(connection.sessionId);
    if (session?.connections.get(connection.id) !== connection) {
      return;
    }
    session.connections.delete(connection.id);
    session.remote.add({ node: toNode, info: connection.info() });
    if (session.connections.size === 0) {
      this.#sessions.delete(session.id);
    }
    this.#log.info('detach()', { session: session.id, connection: connection.id, to: toNode });
    this.#cluster?.release(connection.sessionId);
  }

  /**
   * Takes in a connection handed over by another node (its client resumed here), silently: its peers
   * already know it. The caller has `hold`-ed the session; the connection keeps that hold.
   */
  adopt(connection: Connection, mediaMode: MediaMode): void {
    let session = this.#sessions.get(connection.sessionId);
    if (!session) {
      const remote = this.#cluster?.members(connection.sessionId) ?? new RemoteMembers('');
      session = { id: connection.sessionId, mediaMode, connections: new Map(), streams: new Map(), remote };
      this.#sessions.set(session.id, session);
    }
    session.remote.delete(connection.id);
    session.connections.set(connection.id, connection);
    this.#cluster?.memberMoved(session.id, connection.info());
    this.#log.info('adopt()', { session: session.id, connection: connection.id });
  }

  /** A frame another node published for a session this node serves. */
  #fromCluster(sessionId: string, frame: BusFrame, news: boolean): void {
    if (frame.kind === 'handed' || frame.kind === 'refused') {
      this.onHandoffAnswer(sessionId, frame);
      return;
    }
    if (frame.kind === 'release') {
      const target = this.#sessions.get(sessionId)?.connections.get(frame.to);
      if (target && !target.destroyedReason) {
        this.onReleaseRequest(target, frame.payload);
      }
      return;
    }
    if (frame.kind === 'handoff') {
      if (frame.node === this.#cluster?.nodeId) {
        this.captures.requestSeen(frame.to, frame.request);
        return;
      }
      const target = this.#sessions.get(sessionId)?.connections.get(frame.to);
      if (target && !target.destroyedReason) {
        this.onHandoffRequest(target, frame);
      }
      return;
    }
    this.captures.offer(sessionId, frame, false);
    const session = this.#sessions.get(sessionId);
    if (!session) {
      return;
    }
    switch (frame.kind) {
      case 'broadcast': {
        if (frame.member && !news) {
          return; // a presence frame this node already knew (re-asserted after an outage)
        }
        const except = frame.except ? session.connections.get(frame.except) : undefined;
        this.#localBroadcast(session, Buffer.from(frame.payload), except, frame.droppable);
        return;
      }
      case 'direct': {
        const target = session.connections.get(frame.to);
        if (target) {
          const bytes = Buffer.from(frame.payload);
          this.sendTo(target, bytes, frame.droppable);
          if (target.away) {
            this.onSignalWhileAway(target, bytes);
          }
        }
        return;
      }
      case 'kick': {
        const target = session.connections.get(frame.to);
        if (target) {
          this.destroy(target, frame.reason);
        }
        return;
      }
    }
  }

  /** This node's own broadcast, which the old holder of a connection in handoff will not deliver. */
  #captureOwn(sessionId: string, bytes: Buffer, except: string, droppable = false): void {
    if (!this.captures.active) {
      return; // the common case: no text copy of every frame
    }
    this.captures.offer(sessionId, { kind: 'broadcast', node: '', except, droppable, member: false, payload: bytes.toString() }, true);
  }

  #localBroadcast(session: Session, bytes: Buffer, except?: Connection, droppable = false): number {
    let delivered = 0;
    for (const member of session.connections.values()) {
      if (member !== except && this.#outbox.send(member, bytes, droppable)) {
        delivered += 1;
      }
    }
    return delivered;
  }
}
