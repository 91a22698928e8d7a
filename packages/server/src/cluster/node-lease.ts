import type { Redis } from 'ioredis';
import { encodeMessage } from '../connection.js';
import type { Logger } from '../logger.js';
import { encodeBusFrame } from './bus-frame.js';
import type { RedisKeys } from './redis-keys.js';
import { parseMemberRecord } from './remote-members.js';
import type { SessionLog } from './session-log.js';

/** Drops a dead node's lease and session list, unless it renewed meanwhile. KEYS: nodes, its sessions. ARGV: node, now. */
const FORGET_NODE = `
local lease = redis.call('ZSCORE', KEYS[1], ARGV[1])
if lease and tonumber(lease) > tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
`;

interface LeaseDeps {
  redis: Redis;
  keys: RedisKeys;
  nodeId: string;
  leaseMs: number;
  /** How long a dead node's members wait for their clients to resume elsewhere. */
  graceMs: { network: number; suspend: number };
  history: SessionLog;
  log: Logger;
  onLost: () => void;
}

/**
 * A node's lease in the `nodes` sorted set, renewed every third of its length, and the reaper that
 * every node runs, with no coordinator. When a node's lease runs out, its members become orphans: peers
 * see them `reconnecting` (or `suspended`, rule 6), and their clients may resume on any node until the
 * grace runs out (`takeover.ts`). Then whichever survivor gets there first destroys each one, exactly
 * once, with reason `suspended` or `networkDisconnected`. Both steps are scripts that act only while the
 * record still names the dead node, so racing survivors and a resuming client cannot both win.
 */
export class NodeLease {
  #timer: NodeJS.Timeout | undefined;
  #reaping = false;
  /** Members of dead nodes destroyed by this node. */
  reaped = 0;
  /** Members of dead nodes this node orphaned. */
  orphaned = 0;
  /** Round trip of the last renewal. */
  latencyMs = 0;

  readonly deps: LeaseDeps;
  #started = false;
  #renewedAt = 0;

  constructor(deps: LeaseDeps) {
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
    const now = Date.now();
    const added = await this.deps.redis.zadd(this.deps.keys.nodes, now + this.deps.leaseMs, this.deps.nodeId);
    this.latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
    // Our lease was gone (Redis lost its data) or ran out (a stall longer than the lease, even if no
    // survivor noticed yet): survivors may have orphaned our members, and clients may have resumed
    // elsewhere, so the members are asserted again (`redis-cluster.ts`, resync).
    if (this.#started && (added === 1 || now - this.#renewedAt > this.deps.leaseMs)) {
      this.deps.log.warn('cluster: lease had expired; asserting this node\'s members again');
      this.deps.onLost();
    }
    this.#renewedAt = now;
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

  /** One pass over expired leases and orphans whose grace is over; skipped while a pass is running. */
  async reap(): Promise<void> {
    if (this.#reaping) {
      return;
    }
    this.#reaping = true;
    try {
      await this.#orphanDeadNodes();
      await this.#destroyDueOrphans();
    } catch (err) {
      this.deps.log.debug('cluster: reap pass failed', { error: (err as Error).message });
    } finally {
      this.#reaping = false;
    }
  }

  async #orphanDeadNodes(): Promise<void> {
    const { redis, keys, log, history, graceMs } = this.deps;
    const dead = await redis.zrangebyscore(keys.nodes, '-inf', Date.now(), 'LIMIT', 0, 100);
    for (const node of dead) {
      if (node === this.deps.nodeId) {
        continue; // our own lease lapsed while Redis was away; `renew` restores it
      }
      for (const sessionId of await redis.smembers(keys.nodeSessions(node))) {
        const hash = await redis.hgetall(keys.members(sessionId));
        for (const text of Object.values(hash)) {
          const record = parseMemberRecord(text);
          if (record?.node !== node || record.orphan) {
            continue;
          }
          const state = record.info.state === 'suspended' || record.info.state === 'background' ? 'suspended' : 'reconnecting';
          const orphan = JSON.stringify({ ...record, orphan: true, info: { ...record.info, state } });
          const payload = encodeMessage({ type: 'connectionStateChanged', connectionId: record.info.id, state, reason: 'nodeLost' }).toString();
          const graceEndsAt = Date.now() + (state === 'suspended' ? graceMs.suspend : graceMs.network);
          if (await history.reap(sessionId, record.info.id, node, { orphan, graceEndsAt }, frameHead(node), payload)) {
            this.orphaned += 1;
            log.info('cluster: member of a dead node waits for its client', { node, session: sessionId, connection: record.info.id, state });
          }
        }
      }
      // Only if it did not renew meanwhile (it was stalled, not dead): then it keeps its lease and members.
      await redis.eval(FORGET_NODE, 2, keys.nodes, keys.nodeSessions(node), node, Date.now());
    }
  }

  async #destroyDueOrphans(): Promise<void> {
    const { redis, keys, log, history } = this.deps;
    const due = await redis.zrangebyscore(keys.orphans, '-inf', Date.now(), 'LIMIT', 0, 100);
    for (const entry of due) {
      const [sessionId = '', connectionId = ''] = entry.split(' ');
      const record = parseMemberRecord((await redis.hget(keys.members(sessionId), connectionId)) ?? '');
      if (record?.orphan) {
        const reason = record.info.state === 'suspended' ? 'suspended' : 'networkDisconnected';
        const payload = encodeMessage({ type: 'connectionDestroyed', connectionId, reason }).toString();
        if (await history.reap(sessionId, connectionId, record.node, { destroy: reason }, frameHead(record.node), payload)) {
          this.reaped += 1;
          log.info('cluster: member of a dead node ended', { node: record.node, session: sessionId, connection: connectionId, reason });
        }
      }
      await redis.zrem(keys.orphans, entry);
    }
  }
}

/** A presence frame's header, published on behalf of the dead node so that every survivor delivers it. */
export function frameHead(deadNode: string): string {
  const encoded = encodeBusFrame({ kind: 'broadcast', node: deadNode, except: '', droppable: false, member: true, payload: '' });
  return encoded.slice(0, -1);
}
