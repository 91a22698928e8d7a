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
 * A survivor's change to a dead node's member, only while the record still names that node and is (or
 * is not yet) orphaned, announced with a frame stamped `~<dead node>.<n>`.
 * KEYS: members, joins, log, channel, reap counter. ARGV: connection id, dead node, 'orphan'|'destroy',
 * new record (orphan), bus frame head, payload (a JSON object), maxlen, ttl.
 */
const REAP = `
local text = redis.call('HGET', KEYS[1], ARGV[1])
if not text then return 0 end
local record = cjson.decode(text)
if record.node ~= ARGV[2] then return 0 end
local orphaned = record.orphan == true
if ARGV[3] == 'orphan' then
  if orphaned then return 0 end
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
else
  if not orphaned then return 0 end
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
end
local n = redis.call('INCR', KEYS[5])
redis.call('PEXPIRE', KEYS[5], ARGV[8])
local frame = ARGV[5] .. '\\n{"vo":"~' .. ARGV[2] .. '.' .. n .. '",' .. string.sub(ARGV[6], 2)
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', 'b', frame)
redis.call('PEXPIRE', KEYS[3], ARGV[8])
redis.call('PUBLISH', KEYS[4], frame)
return 1
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
 * member again, unless another node took it over meanwhile. KEYS: members. ARGV: connection id, this
 * node, record. Returns '' when asserted, else the node that holds it now.
 */
const REASSERT = `
local text = redis.call('HGET', KEYS[1], ARGV[1])
if text then
  local node = cjson.decode(text).node
  if node ~= ARGV[2] then return node end
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
  vigilReassert(members: string, connectionId: string, node: string, record: string): Promise<string>;
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
    redis.defineCommand('vigilReap', { numberOfKeys: 5, lua: REAP });
    redis.defineCommand('vigilClaim', { numberOfKeys: 1, lua: CLAIM });
    redis.defineCommand('vigilReassert', { numberOfKeys: 1, lua: REASSERT });
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

  /** Marks a dead node's member orphaned (or, past its grace, removes it), announcing it; true if this call did. */
  async reap(sessionId: string, connectionId: string, deadNode: string, step: 'orphan' | 'destroy', record: string, frameHead: string, payload: string): Promise<boolean> {
    const k = this.#keys;
    const { maxLen, ttlMs } = this.#options;
    const done = await this.#redis.vigilReap(
      k.members(sessionId), k.joins(sessionId), k.log(sessionId), k.channel(sessionId), k.reapCounter(sessionId),
      connectionId, deadNode, step, record, frameHead, payload, String(maxLen), String(ttlMs),
    );
    return done === 1;
  }

  /** Asserts a member's record again after this node was taken for dead; '' or the node that took it over. */
  reassert(sessionId: string, connectionId: string, node: string, record: string): Promise<string> {
    return this.#redis.vigilReassert(this.#keys.members(sessionId), connectionId, node, record);
  }

  /** Takes a member over from a dead node: true if its record still named that node. */
  async claim(sessionId: string, connectionId: string, deadNode: string, record: string): Promise<boolean> {
    return (await this.#redis.vigilClaim(this.#keys.members(sessionId), connectionId, deadNode, record)) === 1;
  }
}
