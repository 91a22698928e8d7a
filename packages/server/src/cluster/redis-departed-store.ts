import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Departed, DepartedStore } from '../departed-connections.js';

/** Takes an entry if session and token hash match, else leaves it. KEYS: entry. ARGV: session id, token hash. */
const CLAIM = `
local text = redis.call('GET', KEYS[1])
if not text then return false end
local entry = cjson.decode(text)
if entry.sessionId ~= ARGV[1] or entry.tokenHash ~= ARGV[2] then return false end
redis.call('DEL', KEYS[1])
return tostring(entry.lastRequestId)
`;

interface ClaimCommand {
  vigilDepartedClaim(key: string, sessionId: string, tokenHash: string): Promise<string | null>;
}

/**
 * The deployment's memory of destroyed connections, shared by every node: a client whose old connection
 * ended on one node may rejoin through another (`departed-connections.ts`). One key per connection,
 * expiring after `ttlMs`; only a hash of the resume token is stored.
 */
export class RedisDepartedStore implements DepartedStore {
  readonly #redis: Redis & ClaimCommand;
  readonly #prefix: string;
  readonly #ttlMs: number;

  constructor(redis: Redis, options: { prefix?: string; ttlMs?: number } = {}) {
    redis.defineCommand('vigilDepartedClaim', { numberOfKeys: 1, lua: CLAIM });
    this.#redis = redis as Redis & ClaimCommand;
    this.#prefix = options.prefix ?? 'vigil:';
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
  }

  async remember(connectionId: string, entry: Departed): Promise<void> {
    const value = JSON.stringify({ sessionId: entry.sessionId, tokenHash: hash(entry.resumeToken), lastRequestId: entry.lastRequestId });
    await this.#redis.set(this.#key(connectionId), value, 'PX', this.#ttlMs);
  }

  async claim(connectionId: string, sessionId: string, resumeToken: string): Promise<number | undefined> {
    const found = await this.#redis.vigilDepartedClaim(this.#key(connectionId), sessionId, hash(resumeToken));
    const lastRequestId = found === null ? NaN : Number(found);
    return Number.isSafeInteger(lastRequestId) ? lastRequestId : undefined;
  }

  #key(connectionId: string): string {
    return `${this.#prefix}departed:${connectionId}`;
  }
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
