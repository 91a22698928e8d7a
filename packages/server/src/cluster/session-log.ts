import type { ChainableCommander, Redis } from 'ioredis';
import { decodeBusFrame, type BusFrame } from './bus-frame.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Each session's log: a capped Redis stream of every frame its members get from the bus, written in
 * the same script as the frame's `PUBLISH` (one round trip). It is what lets a client whose node died
 * resume on another node without losing or repeating a frame (`takeover.ts`, docs/scale-out.md). Kept
 * for `ttlMs` after the last frame and at most about `maxLen` entries.
 */
export interface SessionLogOptions {
  maxLen: number;
  ttlMs: number;
}

/** Lua lines logging the frame held in the Lua expression `frame` in KEYS[log] and publishing it on KEYS[channel]. */
function logAndPublish(log: number, channel: number, frame: string, maxLen: string, ttl: string): string {
  return `redis.call('XADD', KEYS[${log}], 'MAXLEN', '~', ${maxLen}, '*', 'b', ${frame})
redis.call('PEXPIRE', KEYS[${log}], ${ttl})
redis.call('PUBLISH', KEYS[${channel}], ${frame})`;
}

/** KEYS: log, channel. ARGV: bus frame, maxlen, ttl, publish ('1'/'0'), sender, request id. */
const LOG_FRAME = `
local id
if ARGV[5] ~= '' then
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'b', ARGV[1], 's', ARGV[5], 'r', ARGV[6])
else
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'b', ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[4] == '1' then redis.call('PUBLISH', KEYS[2], ARGV[1]) end
return id
`;

/** A join: LOG_FRAME, and the entry's id kept as where the member's history starts. KEYS: log, channel, joins. ARGV: frame, maxlen, ttl, connection id. */
const LOG_JOIN = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'b', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[4], id)
return id
`;

/** What a takeover needs, read at once. KEYS: members, joins, log. ARGV: connection id. */
const READ_HISTORY = `
local record = redis.call('HGET', KEYS[1], ARGV[1])
local join = redis.call('HGET', KEYS[2], ARGV[1])
if not record or not join then return {record or '', join or '', {}} end
return {record, join, redis.call('XRANGE', KEYS[3], '(' .. join, '+')}
`;

/**
 * A survivor's change to a dead node's member, only while the record still names that node, that node's
 * lease is still expired, and the member is (or is not yet) orphaned; announced with a frame stamped
 * `~<dead node>.<n>`. Orphaning also schedules the end of its grace; ending it leaves a tombstone, so
 * that node cannot bring it back if it was only stalled.
 * KEYS: members, joins, log, channel, reap counter, nodes, orphans, gone. ARGV: connection id, dead
 * node, 'orphan'|'destroy', new record (orphan), bus frame head, payload (a JSON object), maxlen, ttl,
 * now (ms), end of grace (ms), orphan entry, reason (destroy).
 */
const REAP = `
local text = redis.call('HGET', KEYS[1], ARGV[1])
if not text then return 0 end
local record = cjson.decode(text)
if record.node ~= ARGV[2] then return 0 end
local orphaned = record.orphan == true
if ARGV[3] == 'orphan' then
  local lease = redis.call('ZSCORE', KEYS[6], ARGV[2])
  if orphaned or (lease and tonumber(lease) > tonumber(ARGV[9])) then return 0 end
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
  redis.call('ZADD', KEYS[7], ARGV[10], ARGV[11])
else
  if not orphaned then return 0 end
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('HSET', KEYS[8], ARGV[1], ARGV[12])
  redis.call('PEXPIRE', KEYS[8], ARGV[8])
  redis.call('ZREM', KEYS[7], ARGV[11])
end
local n = redis.call('INCR', KEYS[5])
-- Outlives the log by far: a counter that restarted would stamp new frames as old ones.
redis.call('PEXPIRE', KEYS[5], 2592000000)
local frame = ARGV[5] .. '\\n{"vo":"~' .. ARGV[2] .. '.' .. n .. '",' .. string.sub(ARGV[6], 2)
${logAndPublish(3, 4, 'frame', 'ARGV[7]', 'ARGV[8]')}
return 1
`;

/**
 * A member's record written by the node that holds it, with its frame logged and published, only
 * while the record still names that node: a node that stalled must not undo a takeover. Returns '' when
 * done, the node that holds it now, or `!<reason>` when survivors ended it (its tombstone) — else, a record
 * missing because Redis lost its data is written again.
 * KEYS: members, joins, log, channel, gone. ARGV: connection id, this node, 'set'|'del', record, frame
 * ('' for none), maxlen, ttl.
 */
const MEMBER_WRITE = `
local text = redis.call('HGET', KEYS[1], ARGV[1])
if text then
  local node = cjson.decode(text).node
  if node ~= ARGV[2] then return node end
elseif redis.call('HEXISTS', KEYS[5], ARGV[1]) == 1 then
  return '!' .. redis.call('HGET', KEYS[5], ARGV[1])
end
if ARGV[3] == 'set' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
end
if ARGV[5] ~= '' then
${logAndPublish(3, 4, 'ARGV[5]', 'ARGV[6]', 'ARGV[7]')}
end
return ''
`;

/** Takes a member over from a dead node. KEYS: members. ARGV: connection id, dead node, new record. */
const CLAIM = `
local text = redis.call('HGET', KEYS[1], ARGV[1])
if not text or cjson.decode(text).node ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`;

/**
 * A node that was taken for dead (a stall longer than its lease, or Redis lost its lease) asserts its
 * member again, unless another node took it over meanwhile or survivors ended it. KEYS: members, gone.
 * ARGV: connection id, this node, record. Returns '' when asserted, `!<reason>` if survivors ended it, or the node that holds it now.
 */
const REASSERT = `
local text = redis.call('HGET', KEYS[1], ARGV[1])
if text then
  local node = cjson.decode(text).node
  if node ~= ARGV[2] then return node end
elseif redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then
  return '!' .. redis.call('HGET', KEYS[2], ARGV[1])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return ''
`;

interface LogCommands {
  vigilLogFrame(log: string, channel: string, frame: string, maxLen: number, ttlMs: number, publish: string, sender: string, requestId: string): Promise<string>;
  vigilLogJoin(log: string, channel: string, joins: string, frame: string, maxLen: number, ttlMs: number, connectionId: string): Promise<string>;
  vigilReadHistory(members: string, joins: string, log: string, connectionId: string): Promise<[string, string, [string, string[]][]]>;
  vigilReap(...args: string[]): Promise<number>;
  vigilClaim(members: string, connectionId: string, deadNode: string, record: string): Promise<number>;
  vigilReassert(members: string, gone: string, connectionId: string, node: string, record: string): Promise<string>;
  vigilMemberWrite(...args: string[]): Promise<string>;
}

/** One logged frame, as a takeover reads it. */
export interface LogEntry {
  frame: BusFrame;
  /** The connection whose request produced it, and that request's id (signals). */
  sender?: string;
  requestId?: number;
}

export class SessionLog {
  readonly #redis: Redis & LogCommands;
  readonly #keys: RedisKeys;
  readonly #options: SessionLogOptions;

  constructor(redis: Redis, keys: RedisKeys, options: SessionLogOptions) {
    redis.defineCommand('vigilLogFrame', { numberOfKeys: 2, lua: LOG_FRAME });
    redis.defineCommand('vigilLogJoin', { numberOfKeys: 3, lua: LOG_JOIN });
    redis.defineCommand('vigilReadHistory', { numberOfKeys: 3, lua: READ_HISTORY });
    redis.defineCommand('vigilReap', { numberOfKeys: 8, lua: REAP });
    redis.defineCommand('vigilMemberWrite', { numberOfKeys: 5, lua: MEMBER_WRITE });
    redis.defineCommand('vigilClaim', { numberOfKeys: 1, lua: CLAIM });
    redis.defineCommand('vigilReassert', { numberOfKeys: 2, lua: REASSERT });
    this.#redis = redis as Redis & LogCommands;
    this.#keys = keys;
    this.#options = options;
  }

  /** Logs a frame and (unless `publish` is false) publishes it on the session's channel. */
  frame(sessionId: string, frame: string, origin?: { sender: string; requestId: number }, publish = true): Promise<string> {
    const { maxLen, ttlMs } = this.#options;
    return this.#redis.vigilLogFrame(this.#keys.log(sessionId), this.#keys.channel(sessionId), frame, maxLen, ttlMs, publish ? '1' : '0', origin?.sender ?? '', String(origin?.requestId ?? ''));
  }

  /** Queues the same in a MULTI (joins and departures change the member hash in the same transaction). */
  frameIn(multi: ChainableCommander, sessionId: string, frame: string): void {
    const { maxLen, ttlMs } = this.#options;
    (multi as ChainableCommander & LogCommands).vigilLogFrame(this.#keys.log(sessionId), this.#keys.channel(sessionId), frame, maxLen, ttlMs, '1', '', '');
  }

  joinIn(multi: ChainableCommander, sessionId: string, connectionId: string, frame: string): void {
    const { maxLen, ttlMs } = this.#options;
    (multi as ChainableCommander & LogCommands).vigilLogJoin(this.#keys.log(sessionId), this.#keys.channel(sessionId), this.#keys.joins(sessionId), frame, maxLen, ttlMs, connectionId);
  }

  /** The member's record and every frame logged since it joined (oldest first). */
  async history(sessionId: string, connectionId: string): Promise<{ record: string; entries: LogEntry[] } | undefined> {
    const [record, join, raw] = await this.#redis.vigilReadHistory(this.#keys.members(sessionId), this.#keys.joins(sessionId), this.#keys.log(sessionId), connectionId);
    if (record === '' || join === '') {
      return undefined;
    }
    const entries: LogEntry[] = [];
    for (const [, fields] of raw) {
      const values = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) {
        values.set(fields[i] as string, fields[i + 1] as string);
      }
      const frame = decodeBusFrame(values.get('b') ?? '');
      if (frame) {
        const sender = values.get('s');
        entries.push(sender ? { frame, sender, requestId: Number(values.get('r')) || 0 } : { frame });
      }
    }
    return { record, entries };
  }

  /**
   * Marks a dead node's member orphaned until `graceEndsAt` (or, past it, ends it with `reason`),
   * announcing it; true if this call did.
   */
  async reap(
    sessionId: string,
    connectionId: string,
    deadNode: string,
    step: { orphan: string; graceEndsAt: number } | { destroy: string },
    frameHead: string,
    payload: string,
  ): Promise<boolean> {
    const k = this.#keys;
    const { maxLen, ttlMs } = this.#options;
    const done = await this.#redis.vigilReap(
      k.members(sessionId), k.joins(sessionId), k.log(sessionId), k.channel(sessionId), k.reapCounter(sessionId), k.nodes, k.orphans, k.gone(sessionId),
      connectionId, deadNode, 'orphan' in step ? 'orphan' : 'destroy', 'orphan' in step ? step.orphan : '', frameHead, payload, String(maxLen), String(ttlMs),
      String(Date.now()), String('orphan' in step ? step.graceEndsAt : 0), orphanEntry(sessionId, connectionId), 'destroy' in step ? step.destroy : '',
    );
    return done === 1;
  }

  /**
   * Writes (or deletes) a member of `node` with its frame, unless another node holds it now (its id is
   * returned) or survivors ended it (`!<reason>`); '' when done.
   */
  memberWrite(sessionId: string, connectionId: string, node: string, op: 'set' | 'del', record: string, frame: string): Promise<string> {
    const k = this.#keys;
    const { maxLen, ttlMs } = this.#options;
    return this.#redis.vigilMemberWrite(k.members(sessionId), k.joins(sessionId), k.log(sessionId), k.channel(sessionId), k.gone(sessionId), connectionId, node, op, record, frame, String(maxLen), String(ttlMs));
  }

  /** Asserts a member's record again after this node was taken for dead; '', the node that took it over, or `!<reason>`. */
  reassert(sessionId: string, connectionId: string, node: string, record: string): Promise<string> {
    return this.#redis.vigilReassert(this.#keys.members(sessionId), this.#keys.gone(sessionId), connectionId, node, record);
  }

  /** Takes a member over from a dead node: true if its record still named that node. */
  async claim(sessionId: string, connectionId: string, deadNode: string, record: string): Promise<boolean> {
    return (await this.#redis.vigilClaim(this.#keys.members(sessionId), connectionId, deadNode, record)) === 1;
  }
}

/** A member of a dead node in the `orphans` sorted set. */
export function orphanEntry(sessionId: string, connectionId: string): string {
  return `${sessionId} ${connectionId}`;
}
