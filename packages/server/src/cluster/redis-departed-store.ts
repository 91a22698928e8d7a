import { createHash } from 'node:crypto';
import type { Departed, DepartedStore } from '../departed-connections.js';
import { RedisScript, type RedisClient } from '../push/redis-script.js';

/**
 * Takes an entry if session and token hash match, else leaves it. KEYS: entry. ARGV: session id, token
 * hash. One key, so it runs on Redis Cluster too.
 */
const CLAIM = new RedisScript(`
local text = redis.call('GET', KEYS[1])
if not text then return false end
local entry = cjson.decode(text)
if entry.sessionId ~= ARGV[1] or entry.tokenHash ~= ARGV[2] then return false end
redis.call('DEL', KEYS[1])
return tostring(entry.lastRequestId)
`);

/**
 * The deployment's memory of destroyed connections, shared by every node: a client whose old connection
 * ended on one node may rejoin through another (`departed-connections.ts`). One key per connection,
 * expiring after `ttlMs`; only a hash of the resume token is stored.
 */
export class RedisDepartedStore implements DepartedStore {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #ttlMs: number;

  /** `redis`: a single server's (or Sentinel's) client, or a Redis Cluster's. */
  constructor(redis: RedisClient, options: { prefix?: string; ttlMs?: number } = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? 'vigil:';
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
  }

  async remember(connectionId: string, entry: Departed): Promise<void> {
    const value = JSON.stringify({ sessionId: entry.sessionId, tokenHash: hash(entry.resumeToken), lastRequestId: entry.lastRequestId });
    await this.#redis.set(this.#key(connectionId), value, 'PX', this.#ttlMs);
  }

  async claim(connectionId: string, sessionId: string, resumeToken: string): Promise<number | undefined> {
    const found = await CLAIM.run(this.#redis, [this.#key(connectionId)], [sessionId, hash(resumeToken)]);
    const lastRequestId = typeof found === 'string' ? Number(found) : NaN;
    return Number.isSafeInteger(lastRequestId) ? lastRequestId : undefined;
  }

  #key(connectionId: string): string {
    return `${this.#prefix}departed:${connectionId}`;
  }
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
