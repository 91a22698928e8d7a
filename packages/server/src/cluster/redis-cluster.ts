import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { VigilError, isDisconnectReason, randomId, type ConnectionInfo, type DisconnectReason, type StreamInfo } from '@vigil/protocol';
import { encodeMessage } from '../connection.js';
import { secretsEqual } from '../secret-compare.js';
import type { Logger } from '../logger.js';
import { decodeBusFrame, encodeBusFrame, type BusFrame } from './bus-frame.js';
import type { ClusterLink, ClusterStats, FrameOrigin, LocalMember } from './cluster-link.js';
import { restampFrame, stampFrame } from './frame-stamp.js';
import { MediaHomes } from './media-homes.js';
import { NodeLease, frameHead } from './node-lease.js';
import { redisOptionsFor } from './redis-address.js';
import { RedisKeys } from './redis-keys.js';
import { RemoteMembers, parseMemberRecord, type MemberRecord } from './remote-members.js';
import { RemoteStreams, parseStreamRecord, type StreamRecord } from './remote-streams.js';
import { SessionLog, orphanEntry, type LogEntry } from './session-log.js';

export interface RedisClusterOptions {
  /** `redis://host:port/db`, `rediss://…`, or `redis+sentinel://host:port[,host:port]/master-name` (`redis-address.ts`). */
  url: string;
  /** Prefix of every key and channel; several deployments can share one Redis. Default `vigil:`. */
  prefix?: string;
  /** How long a node's lease lasts without renewal; past it, survivors orphan its members. Default 10 s. */
  leaseMs?: number;
  /** How long survivors keep a dead node's members for their clients to resume elsewhere (the server's graces). */
  graceMs?: { network: number; suspend: number };
  /** Bound of each session's log (`session-log.ts`); default 10 000 frames. */
  logMaxLen?: number;
  log: Logger;
}

/** Departures (and relay requests) kept while Redis is unreachable; beyond this, survivors' reapers are the backstop. */
const MAX_UNSENT = 100_000;

interface HeldSession {
  holds: number;
  members: RemoteMembers;
  streams: RemoteStreams;
  /** Resolves once subscribed and the snapshot is applied; every `hold` waits for it. */
  ready: Promise<void>;
}

/**
 * The Redis side of a multi-node deployment: one `PUBLISH` per frame on the session's channel (each
 * node writes it to its own members), a member hash per session for joiners' welcomes, and node
 * leases so that a dead node's members are removed by a survivor. Two connections: pub/sub needs its
 * own. Commands fail at once while Redis is unreachable (no offline queue), so a node never piles up
 * memory waiting for it; see `docs/scale-out.md` for what is refused meanwhile.
 */
export class RedisCluster implements ClusterLink {
  readonly nodeId = randomId(12);
  onFrame: (sessionId: string, frame: BusFrame, news: boolean) => void = () => {};
  /** Called after Redis came back: the member lists may have changed while it was away. */
  onResync: (sessionId: string, before: Map<string, ConnectionInfo>, newStreams: StreamInfo[]) => void = () => {};
  /** The node's own members, re-asserted after a Redis restart (its memory may be empty). */
  localMembers: () => Iterable<{ sessionId: string; member: LocalMember }> = () => [];
  /** A member of this node that another node took over while this one was taken for dead. */
  onTakenOver: (sessionId: string, connectionId: string, node: string) => void = () => {};
  /** A member of this node that survivors ended while this one was taken for dead (peers were told). */
  onGone: (sessionId: string, connectionId: string, reason: DisconnectReason) => void = () => {};
  /** The node's own live streams, re-asserted with its members. */
  localStreams: () => Iterable<{ sessionId: string; info: StreamInfo }> = () => [];
  readonly #cmd: Redis;
  readonly #sub: Redis;
  readonly #keys: RedisKeys;
  readonly #prefix: string;
  readonly #log: Logger;
  readonly #sessions = new Map<string, HeldSession>();
  readonly #lease: NodeLease;
  #wasDown = false;
  readonly #unsent: (() => Promise<unknown>)[] = [];
  readonly #homes: MediaHomes;
  /** Each session's log of shared frames, for takeovers after a node's death. */
  readonly #history: SessionLog;
  /** This node's running count, stamped on every frame it shares. */
  #stamps = 0;
  #closed = false;

  private constructor(options: RedisClusterOptions) {
    const common = { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, retryStrategy: (n: number) => Math.min(100 * n, 1_000) };
    const address = redisOptionsFor(options.url);
    const open = (connectionName: string) =>
      'sentinel' in address ? new Redis({ ...address.sentinel, ...common, connectionName }) : new Redis(address.url, { ...common, connectionName });
    this.#cmd = open(`vigil-${this.nodeId}`);
    this.#sub = open(`vigil-${this.nodeId}-sub`);
    this.#keys = new RedisKeys(options.prefix);
    this.#prefix = options.prefix ?? 'vigil:';
    this.#log = options.log;
    const grace = options.graceMs ?? { network: 60_000, suspend: 180_000 };
    const leaseMs = options.leaseMs ?? 10_000;
    // The log must outlive the longest grace of a member orphaned at its node's lease expiry.
    this.#history = new SessionLog(this.#cmd, this.#keys, { maxLen: options.logMaxLen ?? 10_000, ttlMs: Math.max(grace.network, grace.suspend) + leaseMs + 60_000 });
    this.#homes = new MediaHomes({ redis: this.#cmd, keys: this.#keys, nodeId: this.nodeId, run: (command) => this.#command(command) });
    this.#lease = new NodeLease({
      redis: this.#cmd,
      keys: this.#keys,
      nodeId: this.nodeId,
      leaseMs,
      graceMs: grace,
      history: this.#history,
      log: options.log,
      onLost: () => {
        this.#wasDown = true;
        this.#up('lease');
      },
    });
    this.#sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.#received(channel.toString(), message.toString()));
    for (const [name, redis] of [['command', this.#cmd], ['subscriber', this.#sub]] as const) {
      redis.on('error', (err: Error) => this.#down(name, err));
      // A restart may just close the link, without an error: still, what Redis holds may be gone.
      redis.on('close', () => {
        if (!this.#closed) {
          this.#wasDown = true;
        }
      });
      redis.on('ready', () => this.#up(name));
    }
  }

  /** Connects both links and starts the lease; throws if Redis does not answer. */
  static async connect(options: RedisClusterOptions): Promise<RedisCluster> {
    const cluster = new RedisCluster(options);
    try {
      await Promise.all([cluster.#cmd.connect(), cluster.#sub.connect()]);
      await cluster.#lease.start();
    } catch (err) {
      cluster.#cmd.disconnect();
      cluster.#sub.disconnect();
      throw new Error(`Redis at ${redactUrl(options.url)} did not answer: ${(err as Error).message}`);
    }
    options.log.info('cluster: joined', { node: cluster.nodeId, redis: redactUrl(options.url) });
    return cluster;
  }

  /** The command connection, for stores that share this Redis (push registrations, held messages). */
  get client(): Redis {
    return this.#cmd;
  }

  /** Prefix of every key and channel of this deployment. */
  get prefix(): string {
    return this.#prefix;
  }

  get healthy(): boolean {
    return this.#cmd.status === 'ready' && this.#sub.status === 'ready';
  }

  readonly #handoffs = { in: 0, out: 0 };

  countHandoff(direction: 'in' | 'out'): void {
    this.#handoffs[direction] += 1;
  }

  stats(): ClusterStats {
    return { redisLatencyMs: this.#lease.latencyMs, orphaned: this.#lease.orphaned, reaped: this.#lease.reaped, handoffsIn: this.#handoffs.in, handoffsOut: this.#handoffs.out };
  }

  async hold(sessionId: string): Promise<void> {
    let held = this.#sessions.get(sessionId);
    if (!held) {
      const members = new RemoteMembers(this.nodeId);
      const streams = new RemoteStreams(this.nodeId);
      const fresh: HeldSession = { holds: 0, members, streams, ready: this.#open(sessionId, members, streams) };
      this.#sessions.set(sessionId, fresh);
      // A failed open is forgotten once nobody waits on it, so the next joiner tries again.
      fresh.ready.catch(() => {
        if (this.#sessions.get(sessionId) === fresh && fresh.holds === 0) {
          this.#sessions.delete(sessionId);
        }
      });
      held = fresh;
    }
    held.holds += 1;
    try {
      await held.ready;
    } catch (err) {
      this.release(sessionId);
      throw err;
    }
  }

  release(sessionId: string): void {
    const held = this.#sessions.get(sessionId);
    if (!held) {
      return;
    }
    held.holds -= 1;
    if (held.holds > 0) {
      return;
    }
    this.#sessions.delete(sessionId);
    this.#homes.giveUp(sessionId);
    this.#sub.unsubscribe(this.#keys.channel(sessionId)).catch(() => {});
    this.#cmd.srem(this.#keys.nodeSessions(this.nodeId), sessionId).catch(() => {});
  }

  members(sessionId: string): RemoteMembers {
    return this.#sessions.get(sessionId)?.members ?? new RemoteMembers(this.nodeId);
  }

  streams(sessionId: string): RemoteStreams {
    return this.#sessions.get(sessionId)?.streams ?? new RemoteStreams(this.nodeId);
  }

  streamChanged(sessionId: string, stream: StreamInfo | string, bytes: Buffer): void {
    const frame = encodeBusFrame({ kind: 'broadcast', node: this.nodeId, except: '', droppable: false, member: false, stream: true, payload: bytes.toString() });
    if (typeof stream !== 'string') {
      const record = JSON.stringify({ node: this.nodeId, info: stream } satisfies StreamRecord);
      const multi = this.#cmd.multi().hset(this.#keys.streams(sessionId), stream.id, record);
      this.#history.frameIn(multi, sessionId, frame);
      this.#send(multi.exec(), 'streamChanged');
      return;
    }
    this.#sendOrKeep(
      (late) => {
        const multi = this.#cmd.multi().hdel(this.#keys.streams(sessionId), stream);
        this.#history.frameIn(multi, sessionId, late ? this.#restamped(frame) : frame);
        return multi.exec();
      },
      'end of stream',
      { session: sessionId, stream },
    );
  }

  relay(sessionId: string, to: string, payload: string): void {
    // Kept if Redis is away, so neither side is left holding half a subscription.
    const frame = encodeBusFrame({ kind: 'relay', node: this.nodeId, to, payload });
    this.#sendOrKeep(() => this.#cmd.publish(this.#keys.channel(sessionId), frame), 'relay request', { session: sessionId, to });
  }

  forgetStreams(sessionId: string, streamIds: string[]): void {
    if (streamIds.length > 0) {
      this.#send(this.#cmd.hdel(this.#keys.streams(sessionId), ...streamIds), 'forgetStreams');
    }
  }

  stamp(bytes: Buffer): Buffer {
    this.#stamps += 1;
    return stampFrame(bytes, this.nodeId, this.#stamps);
  }

  memberJoined(sessionId: string, member: LocalMember, bytes: Buffer): void {
    const multi = this.#cmd.multi().hset(this.#keys.members(sessionId), member.info.id, this.#record(member)).sadd(this.#keys.nodeSessions(this.nodeId), sessionId);
    this.#history.joinIn(multi, sessionId, member.info.id, this.#memberFrame(bytes));
    this.#send(multi.exec(), 'memberJoined');
  }

  memberChanged(sessionId: string, member: LocalMember, bytes: Buffer): void {
    this.#memberWrite(sessionId, member.info.id, 'set', this.#record(member), this.#memberFrame(bytes), 'memberChanged').catch(() => {});
  }

  memberUpdated(sessionId: string, member: LocalMember): void {
    this.#memberWrite(sessionId, member.info.id, 'set', this.#record(member), '', 'memberUpdated').catch(() => {});
  }

  memberMoved(sessionId: string, member: LocalMember): void {
    // Handed over by its holder, or claimed from a dead one (the record already names this node).
    this.#send(this.#cmd.multi().hset(this.#keys.members(sessionId), member.info.id, this.#record(member)).sadd(this.#keys.nodeSessions(this.nodeId), sessionId).exec(), 'memberMoved');
  }

  memberLeft(sessionId: string, connectionId: string, bytes: Buffer): void {
    const frame = this.#memberFrame(bytes);
    this.#sendOrKeep(
      (late) => this.#memberWrite(sessionId, connectionId, 'del', '', late ? this.#restamped(frame) : frame, 'memberLeft'),
      'departure',
      { session: sessionId, connection: connectionId },
    );
  }

  /**
   * Sends what must reach the other nodes even if Redis is away now (a departure, the end of a stream, a
   * relay request): if it fails, it is kept (bounded) and sent when Redis is back. `late` is true then:
   * the frame comes behind this node's later frames, so it is stamped again to stay in order.
   */
  #sendOrKeep(send: (late: boolean) => Promise<unknown>, what: string, details: Record<string, unknown>): void {
    send(false).catch((err: Error) => {
      this.#log.warn(`cluster: ${what} not published yet`, { ...details, error: err.message });
      if (this.#unsent.length < MAX_UNSENT) {
        this.#unsent.push(() => send(true));
      }
    });
  }

  /**
   * A member record write that yields to a takeover: if another node holds the member now (this one
   * stalled past its lease), or survivors ended it, this node lets it go instead.
   */
  async #memberWrite(sessionId: string, connectionId: string, op: 'set' | 'del', record: string, frame: string, what: string): Promise<void> {
    let holder: string;
    try {
      holder = await this.#history.memberWrite(sessionId, connectionId, this.nodeId, op, record, frame);
    } catch (err) {
      this.#log.warn('cluster: publish failed', { what, error: (err as Error).message });
      throw err;
    }
    this.#yield(sessionId, connectionId, holder);
  }

  /** What a compare-and-set on a member's record answered: '' (still ours), `!<reason>` (ended), or its holder. */
  #yield(sessionId: string, connectionId: string, answer: string): void {
    if (answer.startsWith('!')) {
      const reason = answer.slice(1);
      this.onGone(sessionId, connectionId, isDisconnectReason(reason) ? reason : 'networkDisconnected');
    } else if (answer !== '') {
      this.onTakenOver(sessionId, connectionId, answer);
    }
  }

  #restamped(frame: string): string {
    const newline = frame.indexOf('\n');
    return `${frame.slice(0, newline + 1)}${restampFrame(frame.slice(newline + 1), (bytes) => this.stamp(bytes))}`;
  }

  broadcast(sessionId: string, bytes: Buffer, except: string | undefined, droppable: boolean, origin?: FrameOrigin): void {
    const frame = encodeBusFrame({ kind: 'broadcast', node: this.nodeId, except: except ?? '', droppable, member: false, payload: bytes.toString() });
    this.#send(this.#history.frame(sessionId, frame, origin), 'broadcast');
  }

  direct(sessionId: string, to: string, bytes: Buffer, droppable: boolean, origin?: FrameOrigin, publish = true): void {
    const frame = encodeBusFrame({ kind: 'direct', node: this.nodeId, to, droppable, payload: bytes.toString() });
    this.#send(this.#history.frame(sessionId, frame, origin, publish), 'direct');
  }

  kick(sessionId: string, to: string, reason: DisconnectReason): void {
    this.#send(this.#history.frame(sessionId, encodeBusFrame({ kind: 'kick', node: this.nodeId, to, reason })), 'kick');
  }

  async loadMembers(sessionId: string): Promise<Map<string, MemberRecord>> {
    const hash = await this.#command(() => this.#cmd.hgetall(this.#keys.members(sessionId)));
    const members = new Map<string, MemberRecord>();
    for (const text of Object.values(hash)) {
      const record = parseMemberRecord(text);
      if (record) {
        members.set(record.info.id, record);
      }
    }
    return members;
  }

  homeOf(sessionId: string): Promise<{ node: string; url: string } | undefined> {
    return this.#homes.homeOf(sessionId);
  }

  claimHome(sessionId: string, url: string): Promise<{ node: string; url: string }> {
    return this.#homes.claimHome(sessionId, url);
  }

  async liveStreams(sessionId: string): Promise<StreamInfo[] | undefined> {
    const [members, streams] = await Promise.all([this.loadMembers(sessionId), this.#loadStreams(sessionId)]);
    if (members.size === 0) {
      return undefined;
    }
    return streams
      .filter((record) => members.has(record.info.connectionId))
      .map((record) => record.info)
      .sort((a, b) => a.creationTime - b.creationTime);
  }

  async nodeAlive(node: string): Promise<boolean> {
    const score = await this.#command(() => this.#cmd.zscore(this.#keys.nodes, node));
    return score !== null && Number(score) > Date.now();
  }

  history(sessionId: string, connectionId: string): Promise<{ record: string; entries: LogEntry[] } | undefined> {
    return this.#command(() => this.#history.history(sessionId, connectionId));
  }

  async releaseOrphan(sessionId: string, connectionId: string, resumeToken: string): Promise<boolean> {
    const read = async () => parseMemberRecord((await this.#command(() => this.#cmd.hget(this.#keys.members(sessionId), connectionId))) ?? '');
    let record = await read();
    if (record && !record.orphan && record.node !== this.nodeId && !(await this.nodeAlive(record.node))) {
      await this.#lease.reap(); // its node is dead but nobody has orphaned its members yet
      record = await read();
    }
    if (!record?.orphan || !record.resume || !secretsEqual(record.resume.tokenHash, createHash('sha256').update(resumeToken).digest('hex'))) {
      return false;
    }
    const payload = encodeMessage({ type: 'connectionDestroyed', connectionId, reason: 'networkDisconnected' }).toString();
    return this.#command(() => this.#history.reap(sessionId, connectionId, record.node, { destroy: 'networkDisconnected' }, frameHead(record.node), payload));
  }

  async claimMember(sessionId: string, from: string, member: LocalMember): Promise<boolean> {
    const claimed = await this.#command(() => this.#history.claim(sessionId, member.info.id, from, this.#record(member)));
    if (claimed) {
      this.#send(this.#cmd.multi().zrem(this.#keys.orphans, orphanEntry(sessionId, member.info.id)).sadd(this.#keys.nodeSessions(this.nodeId), sessionId).exec(), 'claimMember');
    }
    return claimed;
  }

  async publishTo(sessionId: string, frame: BusFrame): Promise<void> {
    if (frame.kind === 'broadcast' || frame.kind === 'direct') {
      // What members get is stamped and logged like any frame this node shares.
      const stamped = { ...frame, payload: this.stamp(Buffer.from(frame.payload)).toString() };
      await this.#command(() => this.#history.frame(sessionId, encodeBusFrame(stamped)));
    } else if (frame.kind === 'kick') {
      await this.#command(() => this.#history.frame(sessionId, encodeBusFrame(frame)));
    } else {
      await this.#command(() => this.#cmd.publish(this.#keys.channel(sessionId), encodeBusFrame(frame)));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    this.#homes.giveUpAll();
    await this.#lease.stop();
    // QUIT waits for replies to what was already sent (the members' departures), then closes.
    await Promise.allSettled([this.#cmd.quit(), this.#sub.quit()]);
    this.#cmd.disconnect();
    this.#sub.disconnect();
  }

  async #open(sessionId: string, members: RemoteMembers, streams: RemoteStreams): Promise<void> {
    // Subscribe first, then read the members: nothing published in between is missed.
    await this.#command(() => this.#sub.subscribe(this.#keys.channel(sessionId)));
    const [memberRecords, streamRecords] = await Promise.all([this.loadMembers(sessionId), this.#loadStreams(sessionId)]);
    members.applySnapshot(memberRecords.values());
    streams.applySnapshot(streamRecords, (id) => members.has(id));
  }

  async #loadStreams(sessionId: string): Promise<StreamRecord[]> {
    const hash = await this.#command(() => this.#cmd.hgetall(this.#keys.streams(sessionId)));
    return Object.values(hash).flatMap((text) => parseStreamRecord(text) ?? []);
  }

  #record(member: LocalMember): string {
    return JSON.stringify({ node: this.nodeId, info: member.info, resume: member.resume } satisfies MemberRecord);
  }

  #memberFrame(bytes: Buffer): string {
    return encodeBusFrame({ kind: 'broadcast', node: this.nodeId, except: '', droppable: false, member: true, payload: bytes.toString() });
  }

  #send(pending: Promise<unknown>, what: string): void {
    pending.catch((err: Error) => this.#log.warn('cluster: publish failed', { what, error: err.message }));
  }

  async #command<T>(run: () => Promise<T>): Promise<T> {
    if (!this.healthy) {
      throw new VigilError('STORE_UNAVAILABLE');
    }
    try {
      return await run();
    } catch (err) {
      this.#log.warn('cluster: redis command failed', { error: (err as Error).message });
      throw new VigilError('STORE_UNAVAILABLE');
    }
  }

  #received(channel: string, message: string): void {
    // Inside ioredis's reply parser: nothing may escape from here.
    try {
      const sessionId = this.#keys.sessionOfChannel(channel);
      const held = sessionId === undefined ? undefined : this.#sessions.get(sessionId);
      const frame = decodeBusFrame(message);
      // Our own handoff requests come back on purpose: they mark where capturing starts.
      if (!held || !frame || sessionId === undefined || (frame.node === this.nodeId && frame.kind !== 'handoff')) {
        return;
      }
      // Applied here, not by the registry: frames that arrive while the member snapshot is still on its
      // way (no local session yet) must reach the view too, or the snapshot would undo them.
      let news = true;
      if (frame.kind === 'broadcast' && frame.member) {
        news = held.members.applyPresence(frame.node, frame.payload);
      } else if (frame.kind === 'broadcast' && frame.stream) {
        news = held.streams.applyStreamEvent(frame.node, frame.payload);
      }
      this.onFrame(sessionId, frame, news);
    } catch (err) {
      this.#log.error('cluster: frame handling failed', { channel, error: String(err) });
    }
  }

  #down(link: string, err: Error): void {
    if (!this.#wasDown && !this.#closed) {
      this.#log.error('cluster: redis unreachable; local connections stay up, cross-node delivery paused', { link, error: err.message });
    }
    this.#wasDown = true;
  }

  #up(link: string): void {
    if (!this.#wasDown || !this.healthy || this.#closed) {
      return;
    }
    this.#wasDown = false;
    this.#log.info('cluster: redis back; resynchronising members', { link });
    void this.#resync().catch((err: Error) => {
      this.#log.warn('cluster: resync failed; trying again in 1 s', { error: err.message });
      this.#wasDown = true;
      setTimeout(() => this.#up('retry'), 1_000).unref();
    });
  }

  /** After an outage: re-assert this node's members and lease, and re-read every held session. */
  async #resync(): Promise<void> {
    // Survivors may have taken this node for dead while it could not renew its lease: asserting the
    // members again is harmless (nodes drop presence they already know) and undoes a wrong "reconnecting" —
    // except for members whose clients resumed on another node meanwhile, which are let go.
    const mine = this.#cmd.multi();
    const lost: { sessionId: string; connectionId: string; node: string }[] = [];
    await Promise.all(
      [...this.localMembers()].map(async ({ sessionId, member }) => {
        const { info } = member;
        const holder = await this.#history.reassert(sessionId, info.id, this.nodeId, this.#record(member));
        if (holder !== '') {
          lost.push({ sessionId, connectionId: info.id, node: holder }); // resumed elsewhere, or ended, while we were taken for dead
          return;
        }
        // Issued at once, in stamp order with this node's other frames (a batch sent later would not be).
        const created = this.#memberFrame(encodeMessage({ type: 'connectionCreated', connection: info }));
        this.#send(this.#cmd.multi().sadd(this.#keys.nodeSessions(this.nodeId), sessionId).publish(this.#keys.channel(sessionId), created).exec(), 'resync');
        // Nodes that knew the member drop the creation as old news; a state change made during the
        // outage (or the survivors' "reconnecting" while this node was taken for dead) is undone this way.
        // Stamped and logged (unlike the creation, which nobody who knew the member delivers): a client
        // taken over later must not keep the "reconnecting" the survivors logged.
        const state = this.stamp(encodeMessage({ type: 'connectionStateChanged', connectionId: info.id, state: info.state, reason: 'resynchronised' }));
        this.#send(this.#history.frame(sessionId, this.#memberFrame(state)), 'resync');
      }),
    );
    for (const { sessionId, connectionId, node } of lost) {
      this.#yield(sessionId, connectionId, node);
    }
    for (const { sessionId, info } of this.localStreams()) {
      mine.hset(this.#keys.streams(sessionId), info.id, JSON.stringify({ node: this.nodeId, info } satisfies StreamRecord));
      mine.publish(
        this.#keys.channel(sessionId),
        encodeBusFrame({ kind: 'broadcast', node: this.nodeId, except: '', droppable: false, member: false, stream: true, payload: encodeMessage({ type: 'streamCreated', stream: info }).toString() }),
      );
    }
    await mine.exec();
    await this.#lease.renew();
    while (this.#unsent.length > 0) {
      const leave = this.#unsent[0] as () => Promise<unknown>;
      await leave(); // throws on failure, keeping this and the rest for the next attempt
      this.#unsent.shift();
    }
    // Additions only: departures elsewhere arrive as frames (kept by their node while Redis was away),
    // so a node that has not re-asserted its members yet is not mistaken for gone.
    for (const [sessionId, held] of this.#sessions) {
      const before = new Map(held.members.list().map((info) => [info.id, info]));
      const [memberRecords, streamRecords] = await Promise.all([this.loadMembers(sessionId), this.#loadStreams(sessionId)]);
      held.members.applySnapshot(memberRecords.values());
      const added = held.streams.applySnapshot(streamRecords, (id) => held.members.has(id));
      this.onResync(sessionId, before, added.map((record) => record.info));
    }
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
