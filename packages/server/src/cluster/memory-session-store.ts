import { decodeBusFrame } from './bus-frame.js';
import { parseMemberRecord, type MemberRecord } from './remote-members.js';
import { parseStreamRecord, type StreamRecord } from './remote-streams.js';
import { orphanEntry, parseOrphanEntry, survivorFrame, type FrameOrigin, type LogEntry, type MemberWriteAnswer, type SessionStore } from './session-store.js';

interface Logged {
  seq: number;
  frame: string;
  origin?: FrameOrigin;
}

/** One session's shared state; records are kept as JSON text, as in Redis, so nobody shares an object. */
interface SessionData {
  members: Map<string, string>;
  /** Connection id → sequence number of its join in `log`. */
  joins: Map<string, number>;
  log: Logged[];
  seq: number;
  /** Tombstones: members survivors ended, with the reason. */
  gone: Map<string, string>;
  survivorCount: number;
  streams: Map<string, string>;
  home?: string;
  touchedAt: number;
}

export interface MemorySessionStateOptions {
  /** Bound of each session's log; default 10 000 frames. */
  logMaxLen?: number;
  /** How long an empty session's log and tombstones are kept after their last write; default 10 min. */
  logTtlMs?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

/**
 * The session state that several nodes in one process share (`SessionStore`): what Redis holds for
 * nodes in separate processes, in plain maps. Each node gets its own `MemorySessionStore` on it with
 * `connect()`, as each Redis node has its own connections. Every change happens when its method is
 * called, so calls take effect in call order; frames reach subscribers asynchronously, in publish order.
 */
export class MemorySessionState {
  readonly sessions = new Map<string, SessionData>();
  readonly leases = new Map<string, number>();
  readonly nodeSessions = new Map<string, Set<string>>();
  /** `sessionId connectionId` → end of its grace. */
  readonly orphans = new Map<string, number>();
  readonly subscribers = new Map<string, Set<MemorySessionStore>>();
  readonly maxLen: number;
  readonly ttlMs: number;
  readonly now: () => number;
  readonly #queue: { store: MemorySessionStore; sessionId: string; frame: string }[] = [];
  #draining = false;
  #sweptAt = 0;

  constructor(options: MemorySessionStateOptions = {}) {
    this.maxLen = options.logMaxLen ?? 10_000;
    this.ttlMs = options.logTtlMs ?? 600_000;
    this.now = options.now ?? Date.now;
  }

  /** A node's view of this state. */
  connect(): MemorySessionStore {
    return new MemorySessionStore(this);
  }

  session(sessionId: string): SessionData {
    let data = this.sessions.get(sessionId);
    if (!data) {
      data = { members: new Map(), joins: new Map(), log: [], seq: 0, gone: new Map(), survivorCount: 0, streams: new Map(), touchedAt: 0 };
      this.sessions.set(sessionId, data);
    }
    data.touchedAt = this.now();
    this.#sweep();
    return data;
  }

  publish(sessionId: string, frame: string): void {
    for (const store of this.subscribers.get(sessionId) ?? []) {
      this.#queue.push({ store, sessionId, frame });
    }
    if (!this.#draining && this.#queue.length > 0) {
      this.#draining = true;
      setImmediate(() => this.#drain());
    }
  }

  append(sessionId: string, frame: string, origin?: FrameOrigin, publish = true): number {
    const data = this.session(sessionId);
    data.seq += 1;
    data.log.push(origin ? { seq: data.seq, frame, origin } : { seq: data.seq, frame });
    if (data.log.length > this.maxLen) {
      data.log.splice(0, data.log.length - this.maxLen);
    }
    if (publish) {
      this.publish(sessionId, frame);
    }
    return data.seq;
  }

  #drain(): void {
    // Bounded: what is published while draining waits for the next turn (`publish` schedules it).
    const batch = this.#queue.splice(0, this.#queue.length);
    this.#draining = false;
    for (const { store, sessionId, frame } of batch) {
      store.deliver(sessionId, frame);
    }
  }

  /** Drops sessions nobody has written for `ttlMs` that hold no member and no stream (Redis expires their log). */
  #sweep(): void {
    const now = this.now();
    if (now - this.#sweptAt < Math.min(this.ttlMs, 60_000)) {
      return;
    }
    this.#sweptAt = now;
    for (const [id, data] of this.sessions) {
      if (data.members.size === 0 && data.streams.size === 0 && now - data.touchedAt > this.ttlMs) {
        this.sessions.delete(id);
      }
    }
  }
}

/** One node's view of a `MemorySessionState`. */
export class MemorySessionStore implements SessionStore {
  onDown: (link: string, err?: Error) => void = () => {};
  onUp: (link: string) => void = () => {};
  onMessage: (sessionId: string, frame: string) => void = () => {};
  get healthy(): boolean {
    return !this.#closed;
  }
  readonly #state: MemorySessionState;
  readonly #subscribed = new Set<string>();
  #closed = false;

  constructor(state: MemorySessionState) {
    this.#state = state;
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    for (const sessionId of this.#subscribed) {
      this.#state.subscribers.get(sessionId)?.delete(this);
    }
    this.#subscribed.clear();
    this.#closed = true;
    return Promise.resolve();
  }

  /** A frame on a channel this store subscribed to (called by the state). */
  deliver(sessionId: string, frame: string): void {
    if (!this.#closed && this.#subscribed.has(sessionId)) {
      this.onMessage(sessionId, frame);
    }
  }

  subscribe(sessionId: string): Promise<void> {
    let set = this.#state.subscribers.get(sessionId);
    if (!set) {
      set = new Set();
      this.#state.subscribers.set(sessionId, set);
    }
    set.add(this);
    this.#subscribed.add(sessionId);
    return Promise.resolve();
  }

  unsubscribe(sessionId: string): Promise<void> {
    const set = this.#state.subscribers.get(sessionId);
    set?.delete(this);
    if (set?.size === 0) {
      this.#state.subscribers.delete(sessionId);
    }
    this.#subscribed.delete(sessionId);
    return Promise.resolve();
  }

  subscribers(sessionId: string): Promise<number> {
    return Promise.resolve(this.#state.subscribers.get(sessionId)?.size ?? 0);
  }

  publish(sessionId: string, frame: string): Promise<void> {
    this.#state.publish(sessionId, frame);
    return Promise.resolve();
  }

  appendFrame(sessionId: string, frame: string, options: { origin?: FrameOrigin; publish?: boolean } = {}): Promise<void> {
    this.#state.append(sessionId, frame, options.origin, options.publish ?? true);
    return Promise.resolve();
  }

  members(sessionId: string): Promise<MemberRecord[]> {
    const texts = [...(this.#state.sessions.get(sessionId)?.members.values() ?? [])];
    return Promise.resolve(texts.flatMap((text) => parseMemberRecord(text) ?? []));
  }

  member(sessionId: string, connectionId: string): Promise<MemberRecord | undefined> {
    return Promise.resolve(parseMemberRecord(this.#state.sessions.get(sessionId)?.members.get(connectionId) ?? ''));
  }

  addMember(sessionId: string, record: MemberRecord, frame: string): Promise<void> {
    this.#list(record.node, sessionId);
    const data = this.#state.session(sessionId);
    data.members.set(record.info.id, JSON.stringify(record));
    data.joins.set(record.info.id, this.#state.append(sessionId, frame));
    return Promise.resolve();
  }

  putMember(sessionId: string, record: MemberRecord): Promise<void> {
    this.#list(record.node, sessionId);
    this.#state.session(sessionId).members.set(record.info.id, JSON.stringify(record));
    return Promise.resolve();
  }

  writeMember(sessionId: string, connectionId: string, node: string, record: MemberRecord | undefined, frame: string): Promise<MemberWriteAnswer> {
    const data = this.#state.session(sessionId);
    const answer = this.#othersHold(data, connectionId, node);
    if (answer !== '') {
      return Promise.resolve(answer);
    }
    if (record) {
      data.members.set(connectionId, JSON.stringify(record));
    } else {
      data.members.delete(connectionId);
      data.joins.delete(connectionId);
    }
    if (frame !== '') {
      this.#state.append(sessionId, frame);
    }
    return Promise.resolve('');
  }

  reassertMember(sessionId: string, record: MemberRecord): Promise<MemberWriteAnswer> {
    const data = this.#state.session(sessionId);
    const answer = this.#othersHold(data, record.info.id, record.node);
    if (answer === '') {
      data.members.set(record.info.id, JSON.stringify(record));
      this.#list(record.node, sessionId);
    }
    return Promise.resolve(answer);
  }

  claimMember(sessionId: string, from: string, record: MemberRecord): Promise<boolean> {
    const data = this.#state.session(sessionId);
    if (parseMemberRecord(data.members.get(record.info.id) ?? '')?.node !== from) {
      return Promise.resolve(false);
    }
    data.members.set(record.info.id, JSON.stringify(record));
    this.#state.orphans.delete(orphanEntry(sessionId, record.info.id));
    this.#list(record.node, sessionId);
    return Promise.resolve(true);
  }

  orphanMember(sessionId: string, connectionId: string, node: string, record: MemberRecord, graceEndsAt: number, now: number, head: string, payload: string): Promise<boolean> {
    const lease = this.#state.leases.get(node);
    const data = this.#state.session(sessionId);
    const current = parseMemberRecord(data.members.get(connectionId) ?? '');
    if ((lease !== undefined && lease > now) || current?.node !== node || current.orphan) {
      return Promise.resolve(false);
    }
    data.members.set(connectionId, JSON.stringify(record));
    const entry = orphanEntry(sessionId, connectionId);
    this.#state.orphans.set(entry, Math.max(graceEndsAt, this.#state.orphans.get(entry) ?? 0));
    this.#announce(sessionId, data, node, head, payload);
    return Promise.resolve(true);
  }

  endOrphan(sessionId: string, connectionId: string, node: string, reason: string, head: string, payload: string): Promise<boolean> {
    const data = this.#state.session(sessionId);
    const current = parseMemberRecord(data.members.get(connectionId) ?? '');
    if (current?.node !== node || !current.orphan) {
      return Promise.resolve(false);
    }
    data.members.delete(connectionId);
    data.joins.delete(connectionId);
    data.gone.set(connectionId, reason);
    this.#state.orphans.delete(orphanEntry(sessionId, connectionId));
    this.#announce(sessionId, data, node, head, payload);
    return Promise.resolve(true);
  }

  dueOrphans(now: number, limit: number): Promise<{ sessionId: string; connectionId: string }[]> {
    const due = [...this.#state.orphans].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]).slice(0, limit);
    return Promise.resolve(due.map(([entry]) => parseOrphanEntry(entry)));
  }

  unscheduleOrphan(sessionId: string, connectionId: string): Promise<void> {
    this.#state.orphans.delete(orphanEntry(sessionId, connectionId));
    return Promise.resolve();
  }

  recentFrames(sessionId: string, limit: number): Promise<string[]> {
    const log = this.#state.sessions.get(sessionId)?.log ?? [];
    return Promise.resolve(log.slice(Math.max(0, log.length - limit)).map((logged) => logged.frame));
  }

  history(sessionId: string, connectionId: string): Promise<{ record: MemberRecord; entries: LogEntry[] } | undefined> {
    const data = this.#state.sessions.get(sessionId);
    const record = parseMemberRecord(data?.members.get(connectionId) ?? '');
    const join = data?.joins.get(connectionId);
    if (!data || !record || join === undefined) {
      return Promise.resolve(undefined);
    }
    const entries: LogEntry[] = [];
    for (const logged of data.log) {
      const frame = logged.seq > join ? decodeBusFrame(logged.frame) : undefined;
      if (frame) {
        entries.push(logged.origin ? { frame, sender: logged.origin.sender, requestId: logged.origin.requestId } : { frame });
      }
    }
    return Promise.resolve({ record, entries });
  }

  streams(sessionId: string): Promise<StreamRecord[]> {
    const texts = [...(this.#state.sessions.get(sessionId)?.streams.values() ?? [])];
    return Promise.resolve(texts.flatMap((text) => parseStreamRecord(text) ?? []));
  }

  putStream(sessionId: string, record: StreamRecord, frame = ''): Promise<void> {
    this.#state.session(sessionId).streams.set(record.info.id, JSON.stringify(record));
    if (frame !== '') {
      this.#state.append(sessionId, frame);
    }
    return Promise.resolve();
  }

  removeStream(sessionId: string, streamId: string, frame: string): Promise<void> {
    this.#state.session(sessionId).streams.delete(streamId);
    this.#state.append(sessionId, frame);
    return Promise.resolve();
  }

  forgetStreams(sessionId: string, streamIds: string[]): Promise<void> {
    const data = this.#state.sessions.get(sessionId);
    for (const id of streamIds) {
      data?.streams.delete(id);
    }
    return Promise.resolve();
  }

  renewLease(node: string, expiresAt: number): Promise<boolean> {
    const had = this.#state.leases.has(node);
    this.#state.leases.set(node, expiresAt);
    return Promise.resolve(!had);
  }

  leaseOf(node: string): Promise<number | undefined> {
    return Promise.resolve(this.#state.leases.get(node));
  }

  expiredNodes(now: number, limit: number): Promise<string[]> {
    return Promise.resolve(
      [...this.#state.leases]
        .filter(([, at]) => at <= now)
        .slice(0, limit)
        .map(([node]) => node),
    );
  }

  nodeSessions(node: string): Promise<string[]> {
    return Promise.resolve([...(this.#state.nodeSessions.get(node) ?? [])]);
  }

  leaveSession(node: string, sessionId: string): Promise<void> {
    this.#state.nodeSessions.get(node)?.delete(sessionId);
    return Promise.resolve();
  }

  forgetNode(node: string, now: number): Promise<boolean> {
    const lease = this.#state.leases.get(node);
    if (lease !== undefined && lease > now) {
      return Promise.resolve(false);
    }
    this.dropNode(node);
    return Promise.resolve(true);
  }

  dropNode(node: string): Promise<void> {
    this.#state.leases.delete(node);
    this.#state.nodeSessions.delete(node);
    return Promise.resolve();
  }

  home(sessionId: string): Promise<string | undefined> {
    return Promise.resolve(this.#state.sessions.get(sessionId)?.home);
  }

  replaceHome(sessionId: string, expected: string | undefined, next: string | undefined): Promise<boolean> {
    const data = this.#state.session(sessionId);
    if (data.home !== expected || (expected === undefined && next === undefined)) {
      return Promise.resolve(false);
    }
    if (next === undefined) {
      delete data.home;
    } else {
      data.home = next;
    }
    return Promise.resolve(true);
  }

  #list(node: string, sessionId: string): void {
    let set = this.#state.nodeSessions.get(node);
    if (!set) {
      set = new Set();
      this.#state.nodeSessions.set(node, set);
    }
    set.add(sessionId);
  }

  /** '' when `node` may write the member; else who holds it, or `!<reason>` if survivors ended it. */
  #othersHold(data: SessionData, connectionId: string, node: string): MemberWriteAnswer {
    const text = data.members.get(connectionId);
    if (text !== undefined) {
      const holder = parseMemberRecord(text)?.node;
      return holder === undefined || holder === node ? '' : holder;
    }
    const reason = data.gone.get(connectionId);
    return reason === undefined ? '' : `!${reason}`;
  }

  #announce(sessionId: string, data: SessionData, node: string, head: string, payload: string): void {
    data.survivorCount += 1;
    this.#state.append(sessionId, survivorFrame(head, node, data.survivorCount, payload));
  }
}
