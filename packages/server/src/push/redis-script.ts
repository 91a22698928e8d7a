import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { VigilError } from '@vigil/protocol';

/**
 * The ioredis client a shared store runs on: a single server, Sentinel, or Redis Cluster (every
 * script touches keys of one hash slot). Create it so that a command fails within seconds when Redis
 * is away, rather than queueing until it returns (see `RedisPushRegistrationStore`).
 */
export type RedisClient = Redis | Cluster;

type Arg = string | number;

/**
 * A Lua script sent by its SHA1, and in full when the server does not know it yet (first use, or
 * after Redis restarted with an empty script cache). A script runs atomically on the server.
 */
export class RedisScript {
  readonly #lua: string;
  readonly #sha: string;

  constructor(lua: string) {
    this.#lua = lua;
    this.#sha = createHash('sha1').update(lua).digest('hex');
  }

  /** Sends the script ahead of its first use: a command sent after a `run` then cannot overtake it through a NOSCRIPT retry. */
  async load(redis: RedisClient): Promise<void> {
    await redis.script('LOAD', this.#lua);
  }

  async run(redis: RedisClient, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) {
        throw err;
      }
      return await redis.eval(this.#lua, keys.length, ...keys, ...args);
    }
  }
}

/**
 * Runs one store operation and turns any Redis failure (refused connection, timeout, a reply error)
 * into `STORE_UNAVAILABLE`; the original error stays in `cause` for the log.
 */
export async function storeOperation<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    throw new VigilError('STORE_UNAVAILABLE', undefined, { cause: err });
  }
}

/**
 * Checks a key prefix. Braces would change which part of a key Redis Cluster hashes, splitting one
 * store operation across slots.
 */
export function checkPrefix(prefix: string): string {
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    throw new TypeError(`Redis key prefix must be a string without braces (got ${JSON.stringify(prefix)})`);
  }
  return prefix;
}

/** Encodes a key part so `:`, braces and spaces in ids cannot make two different keys collide. */
export function keyPart(value: string): string {
  return encodeURIComponent(value);
}
