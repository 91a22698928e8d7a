import type { Redis } from 'ioredis';
import { VigilError } from '@vigil/protocol';
import type { RedisKeys } from './redis-keys.js';

/**
 * Which node serves a session tied to one node (a routed session's forwarding unit; every session with
 * `sessionAffinity: 'all'`): `{node, url}` in Redis, valid while that node's lease is. The first joiner's
 * node claims it; a dead holder's claim is taken over with a compare-and-set, so two nodes never both win.
 */
export class MediaHomes {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #nodeId: string;
  /** Runs a command, turning an unreachable Redis into `STORE_UNAVAILABLE`. */
  readonly #run: <T>(command: () => Promise<T>) => Promise<T>;
  /** Sessions this node serves. */
  readonly #mine = new Set<string>();

  constructor(deps: { redis: Redis; keys: RedisKeys; nodeId: string; run: <T>(command: () => Promise<T>) => Promise<T> }) {
    this.#redis = deps.redis;
    this.#keys = deps.keys;
    this.#nodeId = deps.nodeId;
    this.#run = deps.run;
  }

  async homeOf(sessionId: string): Promise<{ node: string; url: string } | undefined> {
    const current = await this.#run(() => this.#redis.get(this.#keys.home(sessionId)));
    const home = current === null ? undefined : parseHome(current);
    if (!home) {
      return undefined;
    }
    const expiry = await this.#run(() => this.#redis.zscore(this.#keys.nodes, home.node));
    return expiry !== null && Number(expiry) > Date.now() ? home : undefined;
  }

  async claimHome(sessionId: string, url: string): Promise<{ node: string; url: string }> {
    const key = this.#keys.home(sessionId);
    const mine = JSON.stringify({ node: this.#nodeId, url });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const current = await this.#run(() => this.#redis.get(key));
      const home = current === null ? undefined : parseHome(current);
      if (home?.node === this.#nodeId) {
        this.#mine.add(sessionId);
        return home;
      }
      if (home) {
        const expiry = await this.#run(() => this.#redis.zscore(this.#keys.nodes, home.node));
        if (expiry !== null && Number(expiry) > Date.now()) {
          return home;
        }
      }
      // Nobody, or a dead node: take it, unless another node got there first (then look again).
      const taken = current === null ? await this.#run(() => this.#redis.set(key, mine, 'NX')) : await this.#run(() => this.#redis.eval(REPLACE_IF, 1, key, current, mine));
      if (taken === 'OK' || taken === 1) {
        this.#mine.add(sessionId);
        return { node: this.#nodeId, url };
      }
    }
    throw new VigilError('STORE_UNAVAILABLE', 'Could not settle which node serves this session; try again.');
  }

  /** The session's last member here left (or the node stops): the next joiner may serve it anywhere. */
  giveUp(sessionId: string): void {
    if (!this.#mine.delete(sessionId)) {
      return;
    }
    const key = this.#keys.home(sessionId);
    this.#redis
      .get(key)
      .then((current) => (current !== null && parseHome(current)?.node === this.#nodeId ? this.#redis.eval(REPLACE_IF, 1, key, current, '') : undefined))
      .catch(() => {}); // a stale home is taken over once this node's lease is gone
  }

  /** The node stops: its sessions may be served elsewhere at once. */
  giveUpAll(): void {
    for (const sessionId of [...this.#mine]) {
      this.giveUp(sessionId);
    }
  }
}

/** Compare-and-set on one key: KEYS[1], ARGV[1] expected, ARGV[2] new ('' deletes). */
const REPLACE_IF = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1
`;

function parseHome(text: string): { node: string; url: string } | undefined {
  try {
    const value = JSON.parse(text) as { node?: unknown; url?: unknown };
    return typeof value.node === 'string' && typeof value.url === 'string' ? { node: value.node, url: value.url } : undefined;
  } catch {
    return undefined;
  }
}

