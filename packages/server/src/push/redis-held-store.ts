import type { HeldMessage, HeldMessageStore } from './held-store.js';
import { RedisScript, checkPrefix, keyPart, storeOperation, type RedisClient } from './redis-script.js';

export interface RedisHeldMessageStoreOptions {
  /** The clock that decides expiry (`HeldMessage.expiresAt`); pass the server's. Default `Date.now`. */
  now?: () => number;
  /** Put before every key, so several deployments can share one Redis. Default `vigil:`; no braces. */
  prefix?: string;
  /** Bytes held per identity and session; past it the oldest messages are dropped (and counted). Default 64 KiB. */
  maxBytesPerIdentity?: number;
  /**
   * Added to the Redis TTL of a box beyond its latest `expiresAt`, so clocks that differ between nodes
   * (or from Redis) never lose a message early; expired messages are filtered by `now` anyway. Default 60 000.
   */
  ttlSlackMs?: number;
}

// One box per session and identity, two keys in one Cluster hash slot (the `{session:identity}` tag):
//   <prefix>held:{<session>:<identity>}:messages  list  entries, oldest first
//   <prefix>held:{<session>:<identity>}:meta      hash  bytes (of the texts held), minExp (earliest
//       expiresAt, or lower), dropped (how many the byte cap dropped), k<key> for each keyed message
// An entry is "<expiresAt> <bytes> <key> <message JSON>", key being `k` + the encoded key or `_`, so the
// scripts read what they need without decoding JSON.

/**
 * KEYS: messages, meta. ARGV: entry, its text's bytes, expiresAt, key field, now, maxBytes, ttlSlackMs.
 * Usually an append plus dropping the oldest past the byte cap. When something held has expired, or
 * the message replaces a keyed one, the box is rewritten instead: purge, replace in place, drop past
 * the cap, and recount. A box is at most `maxBytes` of text, so the rewrite is bounded.
 */
const HOLD = new RedisScript(`
local list, meta = KEYS[1], KEYS[2]
local entry, size, expiresAt, key = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local now, maxBytes, slack = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local function header(raw)
  local e, s, k = string.match(raw, '^(%S+) (%S+) (%S+) ')
  return tonumber(e), tonumber(s), k
end
local function keepDroppedOnly()
  local dropped = redis.call('HGET', meta, 'dropped')
  redis.call('DEL', meta)
  if dropped then redis.call('HSET', meta, 'dropped', dropped) end
end
if redis.call('EXISTS', list) == 0 then keepDroppedOnly() end
local minExp = tonumber(redis.call('HGET', meta, 'minExp'))
local drops, listTtl = 0, 0
if (minExp == nil or minExp > now) and (key == '_' or redis.call('HEXISTS', meta, key) == 0) then
  redis.call('RPUSH', list, entry)
  local bytes = redis.call('HINCRBY', meta, 'bytes', size)
  if key ~= '_' then redis.call('HSET', meta, key, 1) end
  if minExp == nil or expiresAt < minExp then redis.call('HSET', meta, 'minExp', ARGV[3]) end
  while bytes > maxBytes do
    local raw = redis.call('LPOP', list)
    if not raw then break end
    local _, s, k = header(raw)
    bytes = redis.call('HINCRBY', meta, 'bytes', -s)
    if k ~= '_' then redis.call('HDEL', meta, k) end
    drops = drops + 1
  end
  listTtl = math.max(redis.call('PTTL', list), expiresAt - now + slack)
else
  local kept, sizes, expiries, keys, replaced = {}, {}, {}, {}, false
  for _, raw in ipairs(redis.call('LRANGE', list, 0, -1)) do
    local e, s, k = header(raw)
    if e > now then
      if not replaced and key ~= '_' and k == key then
        raw, e, s, replaced = entry, expiresAt, size, true
      end
      kept[#kept + 1], sizes[#sizes + 1], expiries[#expiries + 1], keys[#keys + 1] = raw, s, e, k
    end
  end
  if not replaced then
    kept[#kept + 1], sizes[#sizes + 1], expiries[#expiries + 1], keys[#keys + 1] = entry, size, expiresAt, key
  end
  local bytes = 0
  for _, s in ipairs(sizes) do bytes = bytes + s end
  local first = 1
  while bytes > maxBytes and first <= #kept do
    bytes = bytes - sizes[first]
    first = first + 1
  end
  drops = first - 1
  keepDroppedOnly()
  redis.call('DEL', list)
  local earliest, latest = nil, expiresAt
  for i = first, #kept, 500 do
    local last = math.min(i + 499, #kept)
    redis.call('RPUSH', list, unpack(kept, i, last))
    for j = i, last do
      if earliest == nil or expiries[j] < earliest then earliest = expiries[j] end
      latest = math.max(latest, expiries[j])
      if keys[j] ~= '_' then redis.call('HSET', meta, keys[j], 1) end
    end
  end
  redis.call('HSET', meta, 'bytes', bytes)
  if earliest ~= nil then redis.call('HSET', meta, 'minExp', tostring(earliest)) end
  listTtl = latest - now + slack
end
if drops > 0 then redis.call('HINCRBY', meta, 'dropped', drops) end
listTtl = math.max(1, math.floor(listTtl))
if redis.call('EXISTS', list) == 1 then redis.call('PEXPIRE', list, listTtl) end
local metaTtl = math.max(listTtl, math.floor(expiresAt - now + slack), redis.call('PTTL', meta))
redis.call('PEXPIRE', meta, math.max(1, metaTtl))
return drops
`);

/** KEYS: messages, meta. Reads and deletes both in one step, so two nodes racing get a box once. */
const TAKE = new RedisScript(`
local entries = redis.call('LRANGE', KEYS[1], 0, -1)
local dropped = redis.call('HGET', KEYS[2], 'dropped') or '0'
redis.call('DEL', KEYS[1], KEYS[2])
return { dropped, entries }
`);

/**
 * Held messages in Redis, shared by every node: a message held on one node is taken on whichever node
 * the identity joins, exactly once even when two nodes take at the same moment.
 *
 * Bounds: `maxBytesPerIdentity` as in memory, and each message's `expiresAt` (by `now`); each box also
 * carries a Redis TTL to its latest expiry plus `ttlSlackMs`, so abandoned boxes vanish by themselves.
 * Unlike the memory store there is no total byte cap nor a cap on the number of boxes: a shared total
 * would need a counter that Redis expiry cannot keep exact. What is held is bounded by the byte cap ×
 * the identities messaged within the hold TTL; give Redis a `maxmemory`.
 *
 * Failures reject with `STORE_UNAVAILABLE`; configure the client as for `RedisPushRegistrationStore`.
 * A `take` that timed out on the client may still have run on the server, and its messages are then
 * lost (counted nowhere): a short `commandTimeout` on a healthy link makes this rare.
 *
 * @example
 * await createServer({ apiKey, apiSecret, push: { heldStore: new RedisHeldMessageStore(redis) } });
 */
export class RedisHeldMessageStore implements HeldMessageStore {
  readonly #redis: RedisClient;
  readonly #now: () => number;
  readonly #prefix: string;
  readonly #maxBytes: number;
  readonly #slackMs: number;

  constructor(redis: RedisClient, options: RedisHeldMessageStoreOptions = {}) {
    this.#redis = redis;
    this.#now = options.now ?? Date.now;
    this.#prefix = checkPrefix(options.prefix ?? 'vigil:');
    this.#maxBytes = options.maxBytesPerIdentity ?? 64 * 1024;
    this.#slackMs = options.ttlSlackMs ?? 60_000;
  }

  async hold(sessionId: string, identity: string, message: HeldMessage): Promise<void> {
    if (!Number.isFinite(message.expiresAt)) {
      throw new TypeError(`expiresAt must be a finite number (got ${message.expiresAt})`);
    }
    const stored: HeldMessage = { text: message.text, expiresAt: message.expiresAt };
    const keyField = message.key === undefined ? '_' : `k${keyPart(message.key)}`;
    if (message.key !== undefined) {
      stored.key = message.key;
    }
    const size = Buffer.byteLength(message.text);
    const entry = `${message.expiresAt} ${size} ${keyField} ${JSON.stringify(stored)}`;
    const args = [entry, size, message.expiresAt, keyField, this.#now(), this.#maxBytes, this.#slackMs];
    await storeOperation(() => HOLD.run(this.#redis, this.#keys(sessionId, identity), args));
  }

  async take(sessionId: string, identity: string): Promise<{ messages: HeldMessage[]; dropped: number }> {
    const reply = await storeOperation(() => TAKE.run(this.#redis, this.#keys(sessionId, identity), []));
    const [dropped, entries] = reply as [string, string[]];
    const now = this.#now();
    const messages = entries.map(parseEntry).filter((m) => m.expiresAt > now);
    return { messages, dropped: Number(dropped) };
  }

  #keys(sessionId: string, identity: string): [string, string] {
    const base = `${this.#prefix}held:{${keyPart(sessionId)}:${keyPart(identity)}}:`;
    return [`${base}messages`, `${base}meta`];
  }
}

/** The message JSON follows the third space of an entry. */
function parseEntry(entry: string): HeldMessage {
  let at = -1;
  for (let spaces = 0; spaces < 3; spaces += 1) {
    at = entry.indexOf(' ', at + 1);
  }
  return JSON.parse(entry.slice(at + 1)) as HeldMessage;
}
