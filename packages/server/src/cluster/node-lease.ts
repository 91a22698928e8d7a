import type { Redis } from 'ioredis';
import { encodeMessage } from '../connection.js';
import type { Logger } from '../logger.js';
import { encodeBusFrame } from './bus-frame.js';
import type { RedisKeys } from './redis-keys.js';
import { parseMemberRecord } from './remote-members.js';

/**
 * Removes one member of a dead node and tells the session, atomically, only if the record still
 * belongs to that node: of several survivors racing, exactly one announces the departure.
 * KEYS[1] member hash; ARGV: connection id, dead node id, channel, frame.
 */
const REAP_MEMBER = `
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record then return 0 end
if not string.find(record, '"node":"' .. ARGV[2] .. '"', 1, true) then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`;

/**
 * A node's lease in the `nodes` sorted set, renewed every third of its length, and the reaper that
 * every node runs: members of a node whose lease ran out are destroyed once, by whichever survivor
 * gets there first — no coordinator. Reasons follow rule 6: `suspended` for a member that had announced
 * the background, `networkDisconnected` otherwise.
 */
export class NodeLease {
  #timer: NodeJS.Timeout | undefined;
  #reaping = false;
  reaped = 0;
  /** Round trip of the last renewal. */
  latencyMs = 0;

  readonly deps: { redis: Redis; keys: RedisKeys; nodeId: string; leaseMs: number; log: Logger; onLost: () => void };
  #started = false;

  constructor(deps: { redis: Redis; keys: RedisKeys; nodeId: string; leaseMs: number; log: Logger; onLost: () => void }) {
    this.deps = deps;
  }

  async start(): Promise<void> {
    await this.renew();
    this.#timer = setInterval(() => {
      this.renew().catch(() => {});
      void this.reap();
    }, Math.max(50, Math.floor(this.deps.leaseMs / 3)));
    this.#timer.unref();
  }

  async renew(): Promise<void> {
    const started = performance.now();
    const added = await this.deps.redis.zadd(this.deps.keys.nodes, Date.now() + this.deps.leaseMs, this.deps.nodeId);
    this.latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
    if (added === 1 && this.#started) {
      // Our lease was gone (a stall longer than the lease, or Redis lost its data): survivors may have
      // removed our members, so they must be announced again.
      this.deps.log.warn('cluster: lease had expired; re-announcing this node\'s members');
      this.deps.onLost();
    }
    this.#started = true;
  }

  /** Gives the lease up: a node that leaves cleanly has already announced its members' departures. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.deps.redis
      .multi()
      .zrem(this.deps.keys.nodes, this.deps.nodeId)
      .del(this.deps.keys.nodeSessions(this.deps.nodeId))
      .exec()
      .catch(() => {});
  }

  /** One pass over expired leases; bounded by what Redis lists, skipped while a pass is running. */
  async reap(): Promise<void> {
    if (this.#reaping) {
      return;
    }
    this.#reaping = true;
    try {
      const { redis, keys, log } = this.deps;
      const dead = await redis.zrangebyscore(keys.nodes, '-inf', Date.now(), 'LIMIT', 0, 100);
      for (const node of dead) {
        if (node === this.deps.nodeId) {
          continue; // our own lease lapsed while Redis was away; `renew` restores it
        }
        for (const sessionId of await redis.smembers(keys.nodeSessions(node))) {
          const hash = await redis.hgetall(keys.members(sessionId));
          for (const text of Object.values(hash)) {
            const record = parseMemberRecord(text);
            if (record?.node !== node) {
              continue;
            }
            const reason = record.info.state === 'suspended' || record.info.state === 'background' ? 'suspended' : 'networkDisconnected';
            // Published on behalf of the dead node, so every survivor (this one included) delivers it.
            const frame = encodeBusFrame({
              kind: 'broadcast',
              node,
              except: '',
              droppable: false,
              member: true,
              payload: encodeMessage({ type: 'connectionDestroyed', connectionId: record.info.id, reason }).toString(),
            });
            const removed = await redis.eval(REAP_MEMBER, 1, keys.members(sessionId), record.info.id, node, keys.channel(sessionId), frame);
            if (removed === 1) {
              this.reaped += 1;
              log.info('cluster: reaped member of a dead node', { node, session: sessionId, connection: record.info.id, reason });
            }
          }
        }
        await redis.multi().zrem(keys.nodes, node).del(keys.nodeSessions(node)).exec();
      }
    } catch (err) {
      this.deps.log.debug('cluster: reap pass failed', { error: (err as Error).message });
    } finally {
      this.#reaping = false;
    }
  }
}
