import { isDisconnectReason, type ConnectionInfo, type DisconnectReason, type MediaMode, type StreamInfo } from '@vigil/protocol';
import type { BusFrame } from './cluster/bus-frame.js';
import type { ClusterLink, FrameOrigin, LocalMember } from './cluster/cluster-link.js';
import { HandoffCaptures } from './cluster/handoff-captures.js';
import { RemoteMembers } from './cluster/remote-members.js';
import { RemoteStreams } from './cluster/remote-streams.js';
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
  /** Live streams published on other nodes (always empty on a single node). */
  readonly remoteStreams: RemoteStreams;
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
  /** Another node asks for a connection this node does not hold. */
  onHandoffUnheld: (sessionId: string, frame: Extract<BusFrame, { kind: 'handoff' }>) => void = () => {};
  /** A client that rejoined on another node names its old connection, held here (token not checked yet). */
  onReleaseRequest: (connection: Connection, resumeToken: string) => void = () => {};
  /** The answer to a handoff this node asked for. */
  onHandoffAnswer: (sessionId: string, frame: Extract<BusFrame, { kind: 'handed' | 'refused' }>) => void = () => {};
  /**
   * A member held by another node left (before its peers here are told). When its node died, the
   * streams it published were never ended: the stream code ends them here.
   */
  onRemoteLeft: (session: Session, connectionId: string, reason: DisconnectReason) => void = () => {};
  /** A stream on another node was announced, changed or ended (after local members were told). */
  onRemoteStreamEvent: (session: Session) => void = () => {};
  /** A subscriber's node asks this node, which holds `publisher`, to act on one of its streams (`cluster/relay-ops.ts`). */
  onRelay: (session: Session, publisher: Connection, payload: string) => void = () => {};
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
    const session = this.#sessionFor(connection.sessionId, mediaMode);
    const local = [...session.connections.values()].map((c) => c.info());
    const existing = session.remote.size === 0 ? local : [...local, ...session.remote.list()].sort((a, b) => a.creationTime - b.creationTime);
    session.connections.set(connection.id, connection);
    this.onJoined(connection);
    const bytes = this.#stamped(encodeMessage({ type: 'connectionCreated', connection: connection.info() }));
    this.#localBroadcast(session, bytes, connection);
    this.#cluster?.memberJoined(session.id, memberOf(connection), bytes);
    this.#captureOwn(session.id, bytes, connection.id);
    this.#log.info('join()', { session: session.id, connection: connection.id, members: session.connections.size });
    return existing;
  }

  /** Tells every member, on every node, that `connection` changed state (`connection-grace.ts`). */
  stateChanged(connection: Connection, message: Buffer): void {
    const session = this.#sessions.get(connection.sessionId);
    if (session?.connections.get(connection.id) === connection) {
      const bytes = this.#stamped(message);
      this.#localBroadcast(session, bytes, connection);
      this.#cluster?.memberChanged(session.id, memberOf(connection), bytes);
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
      const bytes = this.#stamped(encodeMessage({ type: 'connectionDestroyed', connectionId: connection.id, reason }));
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
          this.#cluster?.memberLeft(session.id, connection.id, this.#stamped(encodeMessage({ type: 'connectionDestroyed', connectionId: connection.id, reason })));
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
  broadcast(session: Session, message: Buffer, except?: Connection, droppable = false, origin?: FrameOrigin): number {
    const bytes = this.#stamped(message);
    // Published even when no remote member is known yet: one may have joined a moment ago.
    this.#cluster?.broadcast(session.id, bytes, except?.id, droppable, origin);
    this.#captureOwn(session.id, bytes, except?.id ?? '', droppable);
    return this.#localBroadcast(session, bytes, except, droppable);
  }

  /**
   * A stream event (`streamCreated`, `streamPropertyChanged`, `streamDestroyed`) for every member on
   * every node; `stream` is the stream's new state, or its id once it ended (recorded for joiners).
   */
  broadcastStream(session: Session, message: Buffer, stream: StreamInfo | string): number {
    const bytes = this.#stamped(message);
    this.#cluster?.streamChanged(session.id, stream, bytes);
    this.#captureOwn(session.id, bytes, '');
    return this.#localBroadcast(session, bytes);
  }

  /** Sends to this node's members only (the moderator's per-node `muteForced`, docs/scale-out.md). */
  broadcastLocal(session: Session, bytes: Buffer, except?: Connection, droppable = false): number {
    return this.#localBroadcast(session, bytes, except, droppable);
  }

  /** Asks the node holding `publisherId` to act for a subscriber here; false when nobody holds it. */
  relayTo(session: Session, publisherId: string, payload: string): boolean {
    if (!this.#cluster || !session.remote.has(publisherId)) {
      return false;
    }
    this.#cluster.relay(session.id, publisherId, payload);
    return true;
  }

  /** Forgets the records of streams whose publisher's node died (nobody else will). */
  forgetRemoteStreams(session: Session, streamIds: string[]): void {
    this.#cluster?.forgetStreams(session.id, streamIds);
  }

  /**
   * A targeted signal to a member of this node. In a deployment it is stamped and logged (not
   * published), so that if this node dies the node taking the member over knows it was sent.
   */
  sendDirect(connection: Connection, message: Buffer, origin?: FrameOrigin): boolean {
    if (!this.#cluster) {
      return this.#outbox.send(connection, message, true);
    }
    const bytes = this.#cluster.stamp(message);
    this.#cluster.direct(connection.sessionId, connection.id, bytes, true, origin, false);
    return this.#outbox.send(connection, bytes, true);
  }

  /** Sends to one member held by another node (a targeted signal); false when nobody holds it. */
  sendToRemote(session: Session, connectionId: string, message: Buffer, droppable: boolean, origin?: FrameOrigin): boolean {
    if (!this.#cluster || !session.remote.has(connectionId)) {
      return false;
    }
    const bytes = this.#cluster.stamp(message);
    this.#cluster.direct(session.id, connectionId, bytes, droppable, origin);
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
   * Redis came back after an outage and the session's remote members and streams were re-read: local
   * members learn who joined and what was published elsewhere meanwhile. Departures are not read from
   * the snapshot: they arrive as frames, kept by their node while Redis was away.
   */
  resynced(sessionId: string, before: ReadonlyMap<string, ConnectionInfo>, newStreams: StreamInfo[]): void {
    const session = this.#sessions.get(sessionId);
    if (!session) {
      return;
    }
    for (const info of session.remote.list()) {
      if (!before.has(info.id)) {
        this.#localBroadcast(session, encodeMessage({ type: 'connectionCreated', connection: info }));
      }
    }
    for (const stream of newStreams) {
      this.#localBroadcast(session, encodeMessage({ type: 'streamCreated', stream }));
    }
  }

  /**
   * A connection this node handed over whose state never reached the other node: it is gone, and
   * everyone is told once, here and (when Redis allows) elsewhere.
   */
  lostInHandoff(sessionId: string, connectionId: string, message: Buffer): void {
    const bytes = this.#stamped(message);
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
    const session = this.#sessionFor(connection.sessionId, mediaMode);
    session.remote.delete(connection.id);
    session.connections.set(connection.id, connection);
    this.#cluster?.memberMoved(session.id, memberOf(connection));
    this.#log.info('adopt()', { session: session.id, connection: connection.id });
  }

  #sessionFor(sessionId: string, mediaMode: MediaMode): Session {
    let session = this.#sessions.get(sessionId);
    if (!session) {
      const remote = this.#cluster?.members(sessionId) ?? new RemoteMembers('');
      const remoteStreams = this.#cluster?.streams(sessionId) ?? new RemoteStreams('');
      session = { id: sessionId, mediaMode, connections: new Map(), streams: new Map(), remote, remoteStreams };
      this.#sessions.set(sessionId, session);
    }
    return session;
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
    if (frame.kind === 'relay') {
      const session = this.#sessions.get(sessionId);
      const target = session?.connections.get(frame.to);
      if (session && target && !target.destroyedReason) {
        this.onRelay(session, target, frame.payload);
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
      } else {
        this.onHandoffUnheld(sessionId, frame); // the asker listens only to the node its record names
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
        if ((frame.member || frame.stream) && !news) {
          return; // a presence or stream frame this node already knew (re-asserted after an outage)
        }
        if (frame.member) {
          const left = departureIn(frame.payload);
          if (left) {
            this.onRemoteLeft(session, left.connectionId, left.reason);
          }
        }
        const except = frame.except ? session.connections.get(frame.except) : undefined;
        this.#localBroadcast(session, Buffer.from(frame.payload), except, frame.droppable);
        if (frame.stream) {
          this.onRemoteStreamEvent(session);
        }
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

  /** The connection started publishing or subscribing: its record says so (it rejoins, not resumes, if this node dies). */
  mediaStarted(connection: Connection): void {
    if (!connection.media) {
      connection.media = true;
      this.#cluster?.memberUpdated(connection.sessionId, memberOf(connection));
    }
  }

  /** In a deployment, every frame shared with other nodes carries this node's stamp (`cluster/frame-stamp.ts`). */
  #stamped(bytes: Buffer): Buffer {
    return this.#cluster ? this.#cluster.stamp(bytes) : bytes;
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

/** The departed member and reason in a presence frame, if it is a `connectionDestroyed`. */
function departureIn(payload: string): { connectionId: string; reason: DisconnectReason } | undefined {
  if (!payload.includes('"connectionDestroyed"')) {
    return undefined;
  }
  try {
    const m = JSON.parse(payload) as { type?: unknown; connectionId?: unknown; reason?: unknown };
    return m.type === 'connectionDestroyed' && typeof m.connectionId === 'string' && isDisconnectReason(m.reason) ? { connectionId: m.connectionId, reason: m.reason } : undefined;
  } catch {
    return undefined;
  }
}

function memberOf(connection: Connection): LocalMember {
  return { info: connection.info(), resume: connection.resumeRecord() };
}
