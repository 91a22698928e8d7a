import { Cluster, Redis } from 'ioredis';
import { decodeBusFrame } from './bus-frame.js';
import { redisOptionsFor, type ClusterOptions } from './redis-address.js';
import { RedisKeys } from './redis-keys.js';
import { parseMemberRecord, type MemberRecord } from './remote-members.js';
import { parseStreamRecord, type StreamRecord } from './remote-streams.js';
import { ALL_SCRIPTS, ADD_MEMBER, CLAIM, END_ORPHAN, FORGET_NODE, LOG_FRAME, MEMBER_WRITE, ORPHAN, PUBLISH, READ_HISTORY, REASSERT, REPLACE_IF, STREAM_WRITE } from './redis-session-scripts.js';
import { orphanEntry, parseOrphanEntry, type FrameOrigin, type LogEntry, type MemberWriteAnswer, type SessionStore } from './session-store.js';
import type { RedisClient } from '../push/redis-script.js';

export interface RedisSessionStoreOptions {
  /** `redis://host:port/db`, `rediss://…`, `redis+sentinel://host:port[,host:port]/master-name` or `redis+cluster://host:port[,host:port]` (`redis-address.ts`). */
  url: string;
  /** Prefix of every key and channel; several deployments can share one Redis. Default `vigil:`. */
  prefix?: string;
  /** Bound of each session's log; default 10 000 frames. */
  logMaxLen?: number;
  /** How long a session's log (and tombstones) are kept after their last write. */
  logTtlMs: number;
  /** Names the node's connections in `CLIENT LIST`. */
  name: string;
}

/**
 * The session state of a deployment in Redis (`SessionStore`): a hash of member records and one of
 * stream records per session, a capped stream as its log, a pub/sub channel per session, and the node
 * leases in a sorted set. Two connections: pub/sub needs its own. Commands fail at once while Redis is
 * unreachable (no offline queue), so a node never piles up memory waiting for it.
 */
export class RedisSessionStore implements SessionStore {
  onDown: (link: string, err?: Error) => void = () => {};
  onUp: (link: string) => void = () => {};
  onMessage: (sessionId: string, frame: string) => void = () => {};
  readonly keys: RedisKeys;
  readonly prefix: string;
  readonly #cmd: RedisClient;
  readonly #sub: RedisClient;
  readonly #maxLen: number;
  readonly #ttlMs: number;
  #closed = false;
  /** A Cluster's first start node and credentials: asked directly when the Cluster client cannot say why it failed. */
  readonly #startNode: ClusterOptions | undefined;
  /** Timers of `#reconnectLater`. */
  readonly #revivals = new Set<NodeJS.Timeout>();
  /** The last error a link reported: what `connect` names when it fails (ioredis's own error says less). */
  #linkError: Error | undefined;

  constructor(options: RedisSessionStoreOptions) {
    const common = { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, retryStrategy: (n: number) => Math.min(100 * n, 1_000) };
    const address = redisOptionsFor(options.url);
    this.#startNode = 'cluster' in address ? address.cluster : undefined;
    const open = (connectionName: string): RedisClient => {
      if ('cluster' in address) {
        const { lazyConnect, enableOfflineQueue, retryStrategy, ...perNode } = common;
        // With TLS, servers are reached by the names they announce, not their addresses: the certificates
        // of managed clusters name hosts, and ioredis would otherwise check them against an IP.
        const byName = address.cluster.tls ? { dnsLookup: (name: string, done: (err: null, address: string) => void) => done(null, name) } : {};
        return new Cluster(address.cluster.nodes, { lazyConnect, enableOfflineQueue, clusterRetryStrategy: retryStrategy, ...byName, redisOptions: { ...perNode, connectionName, ...clusterCredentials(address.cluster) } });
      }
      return 'sentinel' in address ? new Redis({ ...address.sentinel, ...common, connectionName }) : new Redis(address.url, { ...common, connectionName });
    };
    this.#cmd = open(options.name);
    this.#sub = open(`${options.name}-sub`);
    this.prefix = options.prefix ?? 'vigil:';
    this.keys = new RedisKeys(this.prefix);
    this.#maxLen = options.logMaxLen ?? 10_000;
    this.#ttlMs = options.logTtlMs;
    this.#sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      const sessionId = this.keys.sessionOfChannel(channel.toString());
      if (sessionId !== undefined) {
        this.onMessage(sessionId, message.toString());
      }
    });
    if (this.#cmd instanceof Cluster) {
      // A master that restarted or was promoted has no scripts, and the Cluster client stays "ready":
      // load them whenever one of its servers' links becomes ready.
      this.#cmd.on('+node', (server: Redis) => server.on('ready', () => this.#loadOn(server).catch(() => {})));
    }
    for (const [name, redis] of [['command', this.#cmd], ['subscriber', this.#sub]] as const) {
      redis.on('error', (err: Error & { lastNodeError?: Error }) => {
        this.#noteLinkError(err.lastNodeError ?? err);
        return this.#closed || this.onDown(name, err);
      });
      // A Cluster client reports only "none of the start nodes is available"; each server says why.
      redis.on('node error', (err: Error) => this.#noteLinkError(err));
      // A restart may just close the link, without an error: still, what Redis holds may be gone.
      redis.on('close', () => this.#closed || this.onDown(name));
      // ioredis gives a link up for good in some races (a Sentinel failover announced while the link is
      // already reconnecting ends it: "Connection is closed" from then on): while open, connect it again.
      redis.on('end', () => {
        if (!this.#closed) {
          this.onDown(name, new Error('the Redis client gave this link up; connecting it again'));
          this.#reconnectLater(redis);
        }
      });
      redis.on('ready', () => {
        if (name === 'command') {
          this.#loadScripts().catch(() => {}); // before anything else is sent: a restarted Redis has none
        }
        if (!this.#closed) {
          this.onUp(name);
        }
      });
    }
  }

  /**
   * Connects a link that ioredis ended, a second later. If that attempt is refused before a socket is
   * up (the way it ended), it ends again and brings another try; a socket failure goes through ioredis's
   * own retries.
   */
  #reconnectLater(redis: RedisClient): void {
    const timer = setTimeout(() => {
      this.#revivals.delete(timer);
      if (!this.#closed && redis.status === 'end') {
        redis.connect().catch(() => {});
      }
    }, 1_000);
    timer.unref();
    this.#revivals.add(timer);
  }

  /**
   * Why the Cluster's first start node refuses us, asked over a plain link with the same credentials:
   * the Cluster client swallows its own links' errors (a TLS refusal comes out as "Connection is closed").
   */
  async #askStartNode(): Promise<Error | undefined> {
    const start = this.#startNode;
    const node = start?.nodes[0];
    if (!start || !node) {
      return undefined;
    }
    const probe = new Redis({ ...node, lazyConnect: true, retryStrategy: () => null, connectTimeout: 2_000, commandTimeout: 2_000, maxRetriesPerRequest: 0, ...clusterCredentials(start) });
    let reason: Error | undefined;
    probe.on('error', (err: Error) => (reason ??= err));
    let timer: NodeJS.Timeout | undefined;
    // Bounded: a server that completes TLS and then says nothing must not keep the node from exiting.
    const silent = new Promise<Error>((resolve) => (timer = setTimeout(() => resolve(new Error(`${node.host}:${node.port} did not answer within 5 s`)), 5_000)));
    try {
      const answered = () => new Error(`${node.host}:${node.port} answers, but the cluster could not be used through it: check the addresses its servers announce (CLUSTER SLOTS) and that their certificates name them`);
      return await Promise.race([probe.connect().then(answered), silent]);
    } catch (err) {
      return reason ?? (err as Error);
    } finally {
      clearTimeout(timer);
      probe.disconnect();
    }
  }

  /** Keeps the error that says most: a system or TLS error (with a code) or Redis's refusal, over a bare "Connection is closed". */
  #noteLinkError(err: Error): void {
    if (this.#linkError === undefined || saysWhy(err)) {
      this.#linkError = err;
    }
  }

  /** The command connection, for stores that share this Redis (push registrations, held messages, departures). */
  get client(): RedisClient {
    return this.#cmd;
  }

  get healthy(): boolean {
    return this.#cmd.status === 'ready' && this.#sub.status === 'ready';
  }

  async connect(): Promise<void> {
    try {
      await Promise.all([this.#cmd.connect(), this.#sub.connect()]);
      await this.#loadScripts();
    } catch (err) {
      this.#closed = true;
      this.#cmd.disconnect();
      this.#sub.disconnect();
      // The most telling error: the call's own (a refused SCRIPT LOAD), a link's, or what the start node says.
      const told = [err as Error, this.#linkError].find((e) => e !== undefined && saysWhy(e));
      throw explained(told ?? (this.#cmd instanceof Cluster ? await this.#askStartNode() : undefined) ?? this.#linkError ?? (err as Error));
    }
  }

  /**
   * Loads the scripts ahead of use on every master: a script unknown to a server is sent again in full,
   * after commands issued later, which would reorder a session's frames.
   */
  async #loadScripts(): Promise<void> {
    await Promise.all(this.#servers('master').map((server) => this.#loadOn(server)));
  }

  /** The servers behind the command link: the Cluster's (masters, or all), or the one server. */
  #servers(role: 'master' | 'all'): RedisClient[] {
    return this.#cmd instanceof Cluster ? this.#cmd.nodes(role) : [this.#cmd];
  }

  async #loadOn(server: RedisClient): Promise<void> {
    await Promise.all(ALL_SCRIPTS.map((script) => script.load(server)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#revivals.forEach((timer) => clearTimeout(timer));
    // QUIT waits for replies to what was already sent (the members' departures), then closes.
    await Promise.allSettled([this.#cmd.quit(), this.#sub.quit()]);
    this.#cmd.disconnect();
    this.#sub.disconnect();
  }

  async subscribe(sessionId: string): Promise<void> {
    await this.#sub.subscribe(this.keys.channel(sessionId));
  }

  async unsubscribe(sessionId: string): Promise<void> {
    await this.#sub.unsubscribe(this.keys.channel(sessionId));
  }

  async subscribers(sessionId: string): Promise<number> {
    // On Redis Cluster each server counts only the links subscribed through it.
    const counts = await Promise.all(this.#servers('all').map(async (server) => Number(((await server.pubsub('NUMSUB', this.keys.channel(sessionId))) as [string, number])[1])));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  async publish(sessionId: string, frame: string): Promise<void> {
    await PUBLISH.run(this.#cmd, [this.keys.channel(sessionId)], [frame]);
  }

  async appendFrame(sessionId: string, frame: string, options: { origin?: FrameOrigin; publish?: boolean } = {}): Promise<void> {
    const { origin, publish = true } = options;
    await LOG_FRAME.run(this.#cmd, [this.keys.log(sessionId), this.keys.channel(sessionId)], [frame, this.#maxLen, this.#ttlMs, publish ? '1' : '0', origin?.sender ?? '', String(origin?.requestId ?? '')]);
  }

  async members(sessionId: string): Promise<MemberRecord[]> {
    const hash = await this.#cmd.hgetall(this.keys.members(sessionId));
    return Object.values(hash).flatMap((text) => parseMemberRecord(text) ?? []);
  }

  async member(sessionId: string, connectionId: string): Promise<MemberRecord | undefined> {
    return parseMemberRecord((await this.#cmd.hget(this.keys.members(sessionId), connectionId)) ?? '');
  }

  async addMember(sessionId: string, record: MemberRecord, frame: string): Promise<void> {
    const k = this.keys;
    // Listed first: a reaper finds the member even if this node dies right after the join. Both are
    // sent before either is awaited (one round trip), and both are awaited: a failure of either is the caller's.
    await Promise.all([
      this.#cmd.sadd(k.nodeSessions(record.node), sessionId),
      ADD_MEMBER.run(this.#cmd, [k.members(sessionId), k.joins(sessionId), k.log(sessionId), k.channel(sessionId)], [record.info.id, JSON.stringify(record), frame, this.#maxLen, this.#ttlMs]),
    ]);
  }

  async putMember(sessionId: string, record: MemberRecord): Promise<void> {
    await Promise.all([this.#cmd.sadd(this.keys.nodeSessions(record.node), sessionId), this.#cmd.hset(this.keys.members(sessionId), record.info.id, JSON.stringify(record))]);
  }

  async writeMember(sessionId: string, connectionId: string, node: string, record: MemberRecord | undefined, frame: string): Promise<MemberWriteAnswer> {
    const k = this.keys;
    const keys = [k.members(sessionId), k.joins(sessionId), k.log(sessionId), k.channel(sessionId), k.gone(sessionId)];
    return String(await MEMBER_WRITE.run(this.#cmd, keys, [connectionId, node, record ? 'set' : 'del', record ? JSON.stringify(record) : '', frame, this.#maxLen, this.#ttlMs]));
  }

  async reassertMember(sessionId: string, record: MemberRecord): Promise<MemberWriteAnswer> {
    const answer = String(await REASSERT.run(this.#cmd, [this.keys.members(sessionId), this.keys.gone(sessionId)], [record.info.id, record.node, JSON.stringify(record)]));
    if (answer === '') {
      await this.#cmd.sadd(this.keys.nodeSessions(record.node), sessionId);
    }
    return answer;
  }

  async claimMember(sessionId: string, from: string, record: MemberRecord): Promise<boolean> {
    // Listed before the claim (harmless if it loses): once claimed, nothing may fail, or the record
    // would name a live node that never took the member over.
    await this.#cmd.sadd(this.keys.nodeSessions(record.node), sessionId);
    if ((await CLAIM.run(this.#cmd, [this.keys.members(sessionId)], [record.info.id, from, JSON.stringify(record)])) !== 1) {
      return false;
    }
    // Best effort: a schedule left behind is dropped when due (its member is no orphan).
    this.unscheduleOrphan(sessionId, record.info.id).catch(() => {});
    return true;
  }

  async orphanMember(sessionId: string, connectionId: string, node: string, record: MemberRecord, graceEndsAt: number, now: number, head: string, payload: string): Promise<boolean> {
    const k = this.keys;
    // The lease and the orphans list are node keys, in another slot than the session's on Redis Cluster,
    // so they cannot be in the session's script. A node that renews right after this check had, by its
    // own clock, stalled past its lease: it asserts its members again (`node-lease.ts`).
    const lease = await this.leaseOf(node);
    if (lease !== undefined && lease > now) {
      return false;
    }
    // Scheduled first (an entry whose member is no orphan is dropped when due), and only ever later: a
    // member orphaned again after its node came back gets its full grace.
    await this.#cmd.zadd(k.orphans, 'GT', graceEndsAt, orphanEntry(sessionId, connectionId));
    const keys = [k.members(sessionId), k.log(sessionId), k.channel(sessionId), k.reapCounter(sessionId)];
    return (await ORPHAN.run(this.#cmd, keys, [connectionId, node, JSON.stringify(record), head, payload, this.#maxLen, this.#ttlMs])) === 1;
  }

  async endOrphan(sessionId: string, connectionId: string, node: string, reason: string, head: string, payload: string): Promise<boolean> {
    const k = this.keys;
    const keys = [k.members(sessionId), k.joins(sessionId), k.log(sessionId), k.channel(sessionId), k.reapCounter(sessionId), k.gone(sessionId)];
    const ended = (await END_ORPHAN.run(this.#cmd, keys, [connectionId, node, reason, head, payload, this.#maxLen, this.#ttlMs])) === 1;
    if (ended) {
      await this.unscheduleOrphan(sessionId, connectionId);
    }
    return ended;
  }

  async dueOrphans(now: number, limit: number): Promise<{ sessionId: string; connectionId: string }[]> {
    const entries = await this.#cmd.zrangebyscore(this.keys.orphans, '-inf', now, 'LIMIT', 0, limit);
    return entries.map(parseOrphanEntry);
  }

  async unscheduleOrphan(sessionId: string, connectionId: string): Promise<void> {
    await this.#cmd.zrem(this.keys.orphans, orphanEntry(sessionId, connectionId));
  }

  async recentFrames(sessionId: string, limit: number): Promise<string[]> {
    const raw = (await this.#cmd.xrevrange(this.keys.log(sessionId), '+', '-', 'COUNT', limit)) as [string, string[]][];
    return raw.reverse().flatMap(([, fields]) => entryFields(fields).get('b') ?? []);
  }

  async history(sessionId: string, connectionId: string): Promise<{ record: MemberRecord; entries: LogEntry[] } | undefined> {
    const k = this.keys;
    const [text, join, raw] = (await READ_HISTORY.run(this.#cmd, [k.members(sessionId), k.joins(sessionId), k.log(sessionId)], [connectionId])) as [string, string, [string, string[]][]];
    const record = parseMemberRecord(text);
    if (!record || join === '') {
      return undefined;
    }
    const entries: LogEntry[] = [];
    for (const [, fields] of raw) {
      const values = entryFields(fields);
      const frame = decodeBusFrame(values.get('b') ?? '');
      if (frame) {
        const sender = values.get('s');
        entries.push(sender ? { frame, sender, requestId: Number(values.get('r')) || 0 } : { frame });
      }
    }
    return { record, entries };
  }

  async streams(sessionId: string): Promise<StreamRecord[]> {
    const hash = await this.#cmd.hgetall(this.keys.streams(sessionId));
    return Object.values(hash).flatMap((text) => parseStreamRecord(text) ?? []);
  }

  async putStream(sessionId: string, record: StreamRecord, frame = ''): Promise<void> {
    await this.#streamWrite(sessionId, record.info.id, JSON.stringify(record), frame);
  }

  async removeStream(sessionId: string, streamId: string, frame: string): Promise<void> {
    await this.#streamWrite(sessionId, streamId, '', frame);
  }

  async forgetStreams(sessionId: string, streamIds: string[]): Promise<void> {
    if (streamIds.length > 0) {
      await this.#cmd.hdel(this.keys.streams(sessionId), ...streamIds);
    }
  }

  async #streamWrite(sessionId: string, streamId: string, record: string, frame: string): Promise<void> {
    const k = this.keys;
    await STREAM_WRITE.run(this.#cmd, [k.streams(sessionId), k.log(sessionId), k.channel(sessionId)], [streamId, record, frame, this.#maxLen, this.#ttlMs]);
  }

  async renewLease(node: string, expiresAt: number): Promise<boolean> {
    return (await this.#cmd.zadd(this.keys.nodes, expiresAt, node)) === 1;
  }

  async leaseOf(node: string): Promise<number | undefined> {
    const score = await this.#cmd.zscore(this.keys.nodes, node);
    return score === null ? undefined : Number(score);
  }

  expiredNodes(now: number, limit: number): Promise<string[]> {
    return this.#cmd.zrangebyscore(this.keys.nodes, '-inf', now, 'LIMIT', 0, limit);
  }

  nodeSessions(node: string): Promise<string[]> {
    return this.#cmd.smembers(this.keys.nodeSessions(node));
  }

  async leaveSession(node: string, sessionId: string): Promise<void> {
    await this.#cmd.srem(this.keys.nodeSessions(node), sessionId);
  }

  async forgetNode(node: string, now: number): Promise<boolean> {
    return (await FORGET_NODE.run(this.#cmd, [this.keys.nodes, this.keys.nodeSessions(node)], [node, now])) === 1;
  }

  async dropNode(node: string): Promise<void> {
    await this.#cmd.multi().zrem(this.keys.nodes, node).del(this.keys.nodeSessions(node)).exec();
  }

  async home(sessionId: string): Promise<string | undefined> {
    return (await this.#cmd.get(this.keys.home(sessionId))) ?? undefined;
  }

  async replaceHome(sessionId: string, expected: string | undefined, next: string | undefined): Promise<boolean> {
    const key = this.keys.home(sessionId);
    if (expected === undefined) {
      return next !== undefined && (await this.#cmd.set(key, next, 'NX')) === 'OK';
    }
    return (await REPLACE_IF.run(this.#cmd, [key], [expected, next ?? ''])) === 1;
  }
}

/** A log entry's fields (`[name, value, …]` as XRANGE returns them) by name. */
function entryFields(fields: string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    values.set(fields[i] as string, fields[i + 1] as string);
  }
  return values;
}

/** A system or TLS error (it has a code) or Redis's own refusal, unlike ioredis's bare "Connection is closed". */
function saysWhy(err: Error): boolean {
  return 'code' in err || err.name === 'ReplyError';
}

/** Certificate errors that mean Node does not trust the server's CA (`tls.connect` codes). */
const UNTRUSTED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);

/**
 * Why connecting failed, as an operator can act on it (a refused password, an untrusted certificate, a
 * refused connection), as a plain error: ioredis's own carries the commands' arguments.
 */
function explained(cause: Error): Error {
  const code = (cause as Error & { code?: unknown }).code;
  if (typeof code === 'string' && UNTRUSTED.has(code)) {
    return new Error(`${cause.message} (a private CA? give its certificate to Node with NODE_EXTRA_CA_CERTS=/path/to/ca.pem)`);
  }
  return new Error(cause.message);
}

/** The per-server options a Cluster's credentials and TLS come to. */
function clusterCredentials({ username, password, tls }: ClusterOptions): { username?: string; password?: string; tls?: object } {
  return { ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }), ...(tls ? { tls: {} } : {}) };
}
