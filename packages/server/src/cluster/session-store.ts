import type { BusFrame } from './bus-frame.js';
import type { MemberRecord } from './remote-members.js';
import type { StreamRecord } from './remote-streams.js';

/** The request a frame answers (a signal): logged so a takeover knows what its sender's node processed. */
export interface FrameOrigin {
  sender: string;
  requestId: number;
}

/** One logged frame, as a takeover reads it. */
export interface LogEntry {
  frame: BusFrame;
  /** The connection whose request produced it, and that request's id (signals). */
  sender?: string;
  requestId?: number;
}

/**
 * A compare-and-set on a member's record answered: '' (done: this node holds it), `!<reason>` (survivors
 * ended it while this node was taken for dead), or the id of the node that holds it now.
 */
export type MemberWriteAnswer = string;

/**
 * The state a deployment's nodes share about its sessions, and the channel each session's frames
 * travel on: members (with lifecycle state and, for a dead node's members, their grace), live streams,
 * each session's log of frames (`takeover.ts`), node leases, orphans waiting for their clients, and
 * which node serves a session's media. `ClusterNode` runs a node on it; it holds no rules of its own
 * beyond the compare-and-sets below, which must be atomic.
 *
 * Two implementations pass one contract (`test/session-store-contract.ts`): `RedisSessionStore`, for
 * nodes in separate processes or machines, and `MemorySessionStore`, for nodes in one process.
 *
 * Every method with a frame logs it in the session's log (for `history`) and publishes it on the
 * session's channel, in the same atomic step as the change it announces. Calls made one after the
 * other take effect in that order, even when the caller does not wait for each.
 */
export interface SessionStore {
  /** Whether the store answers now. */
  readonly healthy: boolean;
  /** The link to the store was lost (`err`) or closed; what it holds may be gone when it is back. */
  onDown: (link: string, err?: Error) => void;
  /** A link is ready again after `onDown`. */
  onUp: (link: string) => void;
  /** A frame published on a subscribed session's channel (this node's own frames too). */
  onMessage: (sessionId: string, frame: string) => void;
  connect(): Promise<void>;
  /** Waits for what was already sent (departures of a node that stops), then closes. */
  close(): Promise<void>;

  subscribe(sessionId: string): Promise<void>;
  unsubscribe(sessionId: string): Promise<void>;
  /** How many links listen on the session's channel now (one per node serving it). */
  subscribers(sessionId: string): Promise<number>;
  /** A frame for the nodes serving the session now, not logged (requests between nodes). */
  publish(sessionId: string, frame: string): Promise<void>;
  /** Logs a frame and, unless `publish` is false (a frame this node delivered itself), publishes it. */
  appendFrame(sessionId: string, frame: string, options?: { origin?: FrameOrigin; publish?: boolean }): Promise<void>;

  members(sessionId: string): Promise<MemberRecord[]>;
  member(sessionId: string, connectionId: string): Promise<MemberRecord | undefined>;
  /** A member joined on `record.node`: its record, the node's session list, and its join frame, where its history starts. */
  addMember(sessionId: string, record: MemberRecord, frame: string): Promise<void>;
  /** A member handed over to (or claimed by) `record.node`: its record and the node's session list; no frame. */
  putMember(sessionId: string, record: MemberRecord): Promise<void>;
  /**
   * The holding node changes (`record`) or removes (`undefined`) member `connectionId`, with its frame
   * ('' for none), only while the record names `node`. A record missing because the store lost its
   * data is written again; one missing because survivors ended it is not.
   */
  writeMember(sessionId: string, connectionId: string, node: string, record: MemberRecord | undefined, frame: string): Promise<MemberWriteAnswer>;
  /** A node taken for dead asserts its member again, and lists the session as its own, under the same rule as `writeMember`. */
  reassertMember(sessionId: string, record: MemberRecord): Promise<MemberWriteAnswer>;
  /** Takes a member over from dead node `from`; false if its record no longer names `from`. Drops its orphan schedule. */
  claimMember(sessionId: string, from: string, record: MemberRecord): Promise<boolean>;
  /**
   * A survivor marks a member of dead node `node` an orphan (`record`, with `orphan: true`) until
   * `graceEndsAt`, and announces it: only while the record names `node`, is not yet an orphan, and
   * `node`'s lease has run out at `now`. The announcement is `head`, a newline, and `payload` (a JSON
   * object) stamped `~<node>.<n>` with the session's own count, so every survivor delivers it once.
   */
  orphanMember(sessionId: string, connectionId: string, node: string, record: MemberRecord, graceEndsAt: number, now: number, head: string, payload: string): Promise<boolean>;
  /** Ends an orphan of `node` (only while it still is one), leaving a tombstone with `reason`, announced like `orphanMember`. */
  endOrphan(sessionId: string, connectionId: string, node: string, reason: string, head: string, payload: string): Promise<boolean>;
  /** Orphans whose grace ended by `now` (at most `limit`). */
  dueOrphans(now: number, limit: number): Promise<{ sessionId: string; connectionId: string }[]>;
  unscheduleOrphan(sessionId: string, connectionId: string): Promise<void>;
  /** The session's last `limit` logged frames, oldest first. */
  recentFrames(sessionId: string, limit: number): Promise<string[]>;
  /** A member's record and every frame logged after its join, oldest first (undefined if either is gone). */
  history(sessionId: string, connectionId: string): Promise<{ record: MemberRecord; entries: LogEntry[] } | undefined>;

  streams(sessionId: string): Promise<StreamRecord[]>;
  /** A stream created or changed, with its frame (logged and published) unless `frame` is omitted. */
  putStream(sessionId: string, record: StreamRecord, frame?: string): Promise<void>;
  /** A stream ended, with its frame. */
  removeStream(sessionId: string, streamId: string, frame: string): Promise<void>;
  /** Forgets records a dead node left behind; no frame. */
  forgetStreams(sessionId: string, streamIds: string[]): Promise<void>;

  /** Sets `node`'s lease to run out at `expiresAt`; true if it had none (the store lost it, or it is new). */
  renewLease(node: string, expiresAt: number): Promise<boolean>;
  /** When `node`'s lease runs out, if it has one. */
  leaseOf(node: string): Promise<number | undefined>;
  /** Nodes whose lease ran out by `now` (at most `limit`). */
  expiredNodes(now: number, limit: number): Promise<string[]>;
  /** Sessions in which `node` holds members (listed by `addMember`, `putMember`, `reassertMember`). */
  nodeSessions(node: string): Promise<string[]>;
  /** `node` holds no member of the session any more. */
  leaveSession(node: string, sessionId: string): Promise<void>;
  /** Drops a dead node's lease and session list, unless its lease is running again at `now`; true if dropped. */
  forgetNode(node: string, now: number): Promise<boolean>;
  /** A node that leaves cleanly gives its lease and session list up. */
  dropNode(node: string): Promise<void>;

  /** Which node serves the session's media (`media-homes.ts`), as recorded. */
  home(sessionId: string): Promise<string | undefined>;
  /** Compare-and-set of the session's home: `expected` undefined for none, `next` undefined to remove it. */
  replaceHome(sessionId: string, expected: string | undefined, next: string | undefined): Promise<boolean>;
}

/** The frame announcing a survivor's change to a dead node's member: stamped `~<node>.<n>` (`frame-stamp.ts`). */
export function survivorFrame(head: string, deadNode: string, n: number, payload: string): string {
  return `${head}\n{"vo":"~${deadNode}.${n}",${payload.slice(1)}`;
}

/** How an orphan is named in the schedule of graces (`sessionId connectionId`: ids have no spaces). */
export function orphanEntry(sessionId: string, connectionId: string): string {
  return `${sessionId} ${connectionId}`;
}

export function parseOrphanEntry(entry: string): { sessionId: string; connectionId: string } {
  const [sessionId = '', connectionId = ''] = entry.split(' ');
  return { sessionId, connectionId };
}
