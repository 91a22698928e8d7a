import type { PushRegistrationStore, MemoryStoreLimits } from './registration-store.js';
import type { PushRegistration } from './types.js';
import { RedisScript, checkPrefix, keyPart, storeOperation, type RedisClient } from './redis-script.js';

export interface RedisPushRegistrationStoreOptions extends MemoryStoreLimits {
  /** Put before every key, so several deployments can share one Redis. Default `vigil:`; no braces. */
  prefix?: string;
}

// Keys of one API key (all in one Cluster hash slot, through the `{apiKey}` tag):
//   <prefix>push:{<apiKey>}:registrations   hash   id → registration JSON
//   <prefix>push:{<apiKey>}:order           zset   id → insertion rank (oldest lowest), for the total cap
//   <prefix>push:{<apiKey>}:devices:<identity>  list  the identity's ids, oldest first
// A registration's devices list is derived inside the scripts from the identity in its JSON (the old
// owner is only known there), by appending it to KEYS[3], the devices prefix; being under the same
// tag, the derived key lives in the same slot.

/** Forgets one registration from all three structures; 1 when there was one. */
const FORGET = `
local regs, order, devices = KEYS[1], KEYS[2], KEYS[3]
local function forget(id)
  local json = redis.call('HGET', regs, id)
  if not json then return 0 end
  redis.call('HDEL', regs, id)
  redis.call('ZREM', order, id)
  redis.call('LREM', devices .. cjson.decode(json).identity, 0, id)
  return 1
end
`;

/**
 * ARGV: id, registration JSON, identity, maxPerIdentity, maxTotal. Forgetting the id first moves a
 * device from its old identity to the new one in the same script, so no reader sees it under both.
 */
const PUT = new RedisScript(`${FORGET}
local id, identity = ARGV[1], ARGV[3]
local maxPer, maxTotal = tonumber(ARGV[4]), tonumber(ARGV[5])
forget(id)
local last = redis.call('ZRANGE', order, -1, -1, 'WITHSCORES')
local rank = 1
if last[2] then rank = tonumber(last[2]) + 1 end
redis.call('HSET', regs, id, ARGV[2])
redis.call('ZADD', order, rank, id)
local mine = devices .. identity
redis.call('RPUSH', mine, id)
for _ = 1, redis.call('LLEN', mine) - maxPer do
  forget(redis.call('LINDEX', mine, 0))
end
local excess = redis.call('ZCARD', order) - maxTotal
if excess > 0 then
  for _, old in ipairs(redis.call('ZRANGE', order, 0, excess - 1)) do forget(old) end
end
return 1
`);

/** ARGV: id. */
const REMOVE = new RedisScript(`${FORGET}
return forget(ARGV[1])
`);

/** KEYS: registrations, the identity's devices list. One script, so the list and the hash agree. */
const LIST = new RedisScript(`
local out = {}
for _, id in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  local json = redis.call('HGET', KEYS[1], id)
  if json then out[#out + 1] = json end
end
return out
`);

/**
 * Push registrations in Redis, shared by every node pointed at it. Each operation is one Lua script,
 * so a device that moves from one identity to another is never listed under both, nor lost.
 *
 * Bounds: `maxPerIdentity` (default 20) as in memory; `maxTotal` (default 100 000) counts per API key,
 * not across all keys, so each project stays in one Redis Cluster slot. Registrations have no TTL; a
 * provider's "unregistered" answer removes them.
 *
 * Failures: every Redis error (unreachable, timed out, a reply error) rejects with a `VigilError`
 * `STORE_UNAVAILABLE`. How long a call can take while Redis is away is the client's choice: create it
 * with `enableOfflineQueue: false` (fail at once while disconnected instead of queueing),
 * `maxRetriesPerRequest: 1` and `commandTimeout` of a few seconds (a command in flight when the link
 * drops fails instead of waiting for a reconnect), and listen to its `error` event.
 *
 * @example
 * const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2_000 });
 * redis.on('error', (err) => log.warn(err));
 * await createServer({ apiKey, apiSecret, push: { store: new RedisPushRegistrationStore(redis) } });
 */
export class RedisPushRegistrationStore implements PushRegistrationStore {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #maxPerIdentity: number;
  readonly #maxTotal: number;

  constructor(redis: RedisClient, options: RedisPushRegistrationStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = checkPrefix(options.prefix ?? 'vigil:');
    this.#maxPerIdentity = options.maxPerIdentity ?? 20;
    this.#maxTotal = options.maxTotal ?? 100_000;
  }

  async put(registration: PushRegistration): Promise<void> {
    const { apiKey, id, identity } = registration;
    await storeOperation(() => PUT.run(this.#redis, this.#keys(apiKey), [id, JSON.stringify(registration), identity, this.#maxPerIdentity, this.#maxTotal]));
  }

  async list(apiKey: string, identity: string): Promise<PushRegistration[]> {
    const [registrations, , devices] = this.#keys(apiKey);
    const found = await storeOperation(() => LIST.run(this.#redis, [registrations, `${devices}${identity}`], []));
    return (found as string[]).map((json) => JSON.parse(json) as PushRegistration);
  }

  async remove(apiKey: string, id: string): Promise<boolean> {
    return (await storeOperation(() => REMOVE.run(this.#redis, this.#keys(apiKey), [id]))) === 1;
  }

  /** registrations hash, order zset, devices prefix (an identity is appended to it). */
  #keys(apiKey: string): [string, string, string] {
    const base = `${this.#prefix}push:{${keyPart(apiKey)}}:`;
    return [`${base}registrations`, `${base}order`, `${base}devices:`];
  }
}
