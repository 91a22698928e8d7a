import type { ConnectionState } from '@vigil/protocol';
import { encodeMessage } from '../connection.js';
import type { Logger } from '../logger.js';
import { encodeBusFrame } from './bus-frame.js';
import type { SessionStore } from './session-store.js';

interface LeaseDeps {
  store: SessionStore;
  nodeId: string;
  leaseMs: number;
  /** How long a dead node's members wait for their clients to resume elsewhere. */
  graceMs: { network: number; suspend: number };
  log: Logger;
  onLost: () => void;
  /**
   * A renewal failed (`err`) or, after failures, succeeded again (no argument). Some stores report no
   * outage otherwise: an ioredis Cluster client stays "ready" while the cluster refuses every command.
   */
  onRenewal: (err?: Error) => void;
}

/**
 * A node's lease in the session store, renewed every third of its length, and the reaper that
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
  /** The last renewal failed: the node cannot count on its lease, nor on the store. */
  failing = false;
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
    let added: boolean;
    try {
      added = await this.deps.store.renewLease(this.deps.nodeId, now + this.deps.leaseMs);
    } catch (err) {
      if (!this.failing) {
        this.failing = true;
        this.deps.onRenewal(err as Error);
      }
      throw err;
    }
    if (this.failing) {
      this.failing = false;
      this.deps.onRenewal();
    }
    this.latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
    // Our lease was gone (Redis lost its data) or ran out (a stall longer than the lease, even if no
    // survivor noticed yet): survivors may have orphaned our members, and clients may have resumed
    // elsewhere, so the members are asserted again (`cluster-node.ts`, resync).
    if (this.#started && (added || now - this.#renewedAt > this.deps.leaseMs)) {
      this.deps.log.warn('cluster: lease had expired; asserting this node\'s members again');
      this.deps.onLost();
    }
    this.#renewedAt = now;
    this.#started = true;
  }

  /** Stops renewing (and reaping) without giving the lease up. */
  stopTimer(): void {
    clearInterval(this.#timer);
  }

  /** Gives the lease up: a node that leaves cleanly has already announced its members' departures. */
  async stop(): Promise<void> {
    this.stopTimer();
    await this.deps.store.dropNode(this.deps.nodeId).catch(() => {});
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
    const { store, log, graceMs } = this.deps;
    for (const node of await store.expiredNodes(Date.now(), 100)) {
      if (node === this.deps.nodeId) {
        continue; // our own lease lapsed while Redis was away; `renew` restores it
      }
      for (const sessionId of await store.nodeSessions(node)) {
        for (const record of await store.members(sessionId)) {
          if (record.node !== node || record.orphan) {
            continue;
          }
          const state: ConnectionState = record.info.state === 'suspended' || record.info.state === 'background' ? 'suspended' : 'reconnecting';
          const orphan = { ...record, orphan: true, info: { ...record.info, state } };
          const payload = encodeMessage({ type: 'connectionStateChanged', connectionId: record.info.id, state, reason: 'nodeLost' }).toString();
          const now = Date.now();
          const graceEndsAt = now + (state === 'suspended' ? graceMs.suspend : graceMs.network);
          if (await store.orphanMember(sessionId, record.info.id, node, orphan, graceEndsAt, now, frameHead(node), payload)) {
            this.orphaned += 1;
            log.info('cluster: member of a dead node waits for its client', { node, session: sessionId, connection: record.info.id, state });
          }
        }
      }
      // Only if it did not renew meanwhile (it was stalled, not dead): then it keeps its lease and members.
      await store.forgetNode(node, Date.now());
    }
  }

  async #destroyDueOrphans(): Promise<void> {
    const { store, log } = this.deps;
    for (const { sessionId, connectionId } of await store.dueOrphans(Date.now(), 100)) {
      const record = await store.member(sessionId, connectionId);
      if (record?.orphan) {
        const reason = record.info.state === 'suspended' ? 'suspended' : 'networkDisconnected';
        const payload = encodeMessage({ type: 'connectionDestroyed', connectionId, reason }).toString();
        if (await store.endOrphan(sessionId, connectionId, record.node, reason, frameHead(record.node), payload)) {
          this.reaped += 1;
          log.info('cluster: member of a dead node ended', { node: record.node, session: sessionId, connection: connectionId, reason });
          continue;
        }
      }
      await store.unscheduleOrphan(sessionId, connectionId); // claimed by a node its client resumed on, or already ended
    }
  }
}

/** A presence frame's header, published on behalf of the dead node so that every survivor delivers it. */
export function frameHead(deadNode: string): string {
  const encoded = encodeBusFrame({ kind: 'broadcast', node: deadNode, except: '', droppable: false, member: true, payload: '' });
  return encoded.slice(0, -1);
}
