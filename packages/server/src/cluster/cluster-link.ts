import type { ConnectionInfo, DisconnectReason, StreamInfo } from '@vigil/protocol';
import type { BusFrame } from './bus-frame.js';
import type { MemberRecord, RemoteMembers, ResumeRecord } from './remote-members.js';
import type { RemoteStreams } from './remote-streams.js';
import type { FrameOrigin, LogEntry } from './session-store.js';

/** A member of this node as other nodes need it: what peers see, and what a takeover needs. */
export interface LocalMember {
  info: ConnectionInfo;
  resume: ResumeRecord;
}

export type { FrameOrigin };

export interface ClusterStats {
  redisLatencyMs: number;
  orphaned: number;
  reaped: number;
  handoffsIn: number;
  handoffsOut: number;
  /** Times this node found that frames published for it had not arrived (its probe), since start. */
  framesLost: number;
  /** Frames (signals, presence and stream changes) it could not publish for the other nodes, since start. */
  framesUnpublished: number;
  /** Departures it delivered late from the session log after such a loss or an outage, since start. */
  departuresCaughtUp: number;
}

/**
 * How a node shares its sessions with the other nodes of a deployment (docs/scale-out.md). The
 * registry calls it after every local change; frames from other nodes come back through `onFrame`.
 * A single-process server has none.
 */
export interface ClusterLink {
  readonly nodeId: string;
  /**
   * Frames published by other nodes for sessions this node serves. Presence frames have already been
   * applied to the session's `members` view; `news` says whether clients should hear of them.
   */
  onFrame: (sessionId: string, frame: BusFrame, news: boolean) => void;
  /** A member of this node was taken over by `node` while this one was taken for dead (a stall past its lease). */
  onTakenOver: (sessionId: string, connectionId: string, node: string) => void;
  /** A member of this node that survivors ended while this one was taken for dead; its peers elsewhere were told. */
  onGone: (sessionId: string, connectionId: string, reason: DisconnectReason) => void;
  /**
   * Before a local connection joins: subscribe to the session and load its remote members. Each call
   * holds the session until a matching `release`. Throws `STORE_UNAVAILABLE` when Redis cannot answer.
   */
  hold(sessionId: string): Promise<void>;
  release(sessionId: string): void;
  /** The session's members on other nodes (empty view when nobody else serves it). */
  members(sessionId: string): RemoteMembers;
  /** The session's live streams published on other nodes. */
  streams(sessionId: string): RemoteStreams;
  /**
   * A stream event on this node: `stream` is its new state (created or changed), or its id once it
   * ended. Recorded for joiners' welcomes and published for the other nodes' members.
   */
  streamChanged(sessionId: string, stream: StreamInfo | string, bytes: Buffer): void;
  /** Asks the node holding `to` to act for a subscriber on this node (`relay-ops.ts`). */
  relay(sessionId: string, to: string, payload: string): void;
  /** Forgets stream records a dead node left behind (their publisher is gone). */
  forgetStreams(sessionId: string, streamIds: string[]): void;
  /** A frame stamped with this node and its next count (`frame-stamp.ts`): every frame shared with other nodes is. */
  stamp(bytes: Buffer): Buffer;
  memberJoined(sessionId: string, member: LocalMember, bytes: Buffer): void;
  memberChanged(sessionId: string, member: LocalMember, bytes: Buffer): void;
  /** The member's record changed without anything to tell peers (it started publishing or subscribing). */
  memberUpdated(sessionId: string, member: LocalMember): void;
  memberLeft(sessionId: string, connectionId: string, bytes: Buffer): void;
  /** A member handed over to this node: its record now names this node (no frame: nothing changed for peers). */
  memberMoved(sessionId: string, member: LocalMember): void;
  broadcast(sessionId: string, bytes: Buffer, except: string | undefined, droppable: boolean, origin?: FrameOrigin): void;
  /** For one member; `publish` false when this node holds it (logged only, for a takeover). */
  direct(sessionId: string, to: string, bytes: Buffer, droppable: boolean, origin?: FrameOrigin, publish?: boolean): void;
  kick(sessionId: string, to: string, reason: DisconnectReason): void;
  /** Members of a session this node may not serve (REST calls landing on any node). */
  loadMembers(sessionId: string): Promise<Map<string, MemberRecord>>;
  /** The live streams of a session this node may not serve, oldest first; undefined when it has no member. */
  liveStreams(sessionId: string): Promise<StreamInfo[] | undefined>;
  /** Publishes a frame for a session this node does not hold (REST on a node with no local member). */
  publishTo(sessionId: string, frame: BusFrame): Promise<void>;
  /**
   * The node that serves a routed session's media: the one recorded in Redis while its lease is alive,
   * else this node (recorded now). Throws `STORE_UNAVAILABLE` when Redis cannot answer.
   */
  claimHome(sessionId: string, url: string): Promise<{ node: string; url: string }>;
  /** The node a session is tied to, if one is recorded and alive (REST forwarding). */
  homeOf(sessionId: string): Promise<{ node: string; url: string } | undefined>;
  /** Whether `node`'s lease is still running. */
  nodeAlive(node: string): Promise<boolean>;
  /** A member's record and the frames logged since it joined (`session-store.ts`), for a takeover. */
  history(sessionId: string, connectionId: string): Promise<{ record: MemberRecord; entries: LogEntry[] } | undefined>;
  /** Takes a member over from dead node `from`: its record names this node now. False if it no longer named `from`. */
  claimMember(sessionId: string, from: string, member: LocalMember): Promise<boolean>;
  /**
   * A client rejoining names its old connection; if that one is an orphan (its node died), it is ended
   * now rather than at the end of its grace. True if this call ended it.
   */
  releaseOrphan(sessionId: string, connectionId: string, resumeToken: string): Promise<boolean>;
  /** Counters for `/metrics`. */
  stats(): ClusterStats;
  countHandoff(direction: 'in' | 'out'): void;
  /** Whether Redis answers; `/readyz` and the logs report it. */
  readonly healthy: boolean;
  close(): Promise<void>;
}
