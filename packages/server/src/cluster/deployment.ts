import { MemoryDepartedStore, type DepartedStore } from '../departed-connections.js';
import { MemoryHeldMessageStore, type HeldLimits, type HeldMessageStore } from '../push/held-store.js';
import { RedisHeldMessageStore } from '../push/redis-held-store.js';
import { MemoryPushRegistrationStore, type PushRegistrationStore } from '../push/registration-store.js';
import { RedisPushRegistrationStore } from '../push/redis-registration-store.js';
import { checkPrefix } from '../push/redis-script.js';
import { ClusterNode } from './cluster-node.js';
import { MemorySessionState, type MemorySessionStateOptions } from './memory-session-store.js';
import { RedisDepartedStore } from './redis-departed-store.js';
import { RedisSessionStore } from './redis-session-store.js';
import type { SessionStore } from './session-store.js';

/**
 * Everything a node shares with the other nodes of its deployment: session state (`SessionStore`),
 * departed connections, push registrations and held messages. Each has a memory implementation and a
 * Redis one passing the same contract; a deployment uses one kind throughout.
 */
export interface DeploymentStores {
  sessions: SessionStore;
  departed: DepartedStore;
  pushRegistrations: PushRegistrationStore;
  heldMessages: HeldMessageStore;
  /** How long a node's lease lasts without renewal; past it, survivors orphan its members. Default 10 s. */
  leaseMs?: number;
}

export interface RedisDeploymentOptions {
  /** `redis://host:port/db`, `rediss://…`, `redis+sentinel://host:port[,host:port]/master` or `redis+cluster://host:port[,host:port]` (`redis-address.ts`). */
  url: string;
  /** Prefix of every key and channel; several deployments can share one Redis. Default `vigil:`; no braces. */
  prefix?: string;
  /** How long a node's lease lasts without renewal. Default 10 s. */
  leaseMs?: number;
  /** Bound of each session's log (`session-store.ts`); default 10 000 frames. */
  logMaxLen?: number;
}

/** What the node's own settings add: its graces (how long logs are kept), clock and hold limits. */
export interface NodeSettings {
  graceMs: { network: number; suspend: number };
  now: () => number;
  hold?: Pick<HeldLimits, 'maxBytesPerIdentity'>;
  name: string;
}

/** The stores of a node on Redis (`--redis`): all on one command connection, plus one for pub/sub. */
export function redisDeployment(options: RedisDeploymentOptions, node: NodeSettings): DeploymentStores {
  const prefix = checkPrefix(options.prefix ?? 'vigil:');
  const sessions = new RedisSessionStore({
    url: options.url,
    prefix,
    name: node.name,
    logTtlMs: ClusterNode.logTtlMs({ graceMs: node.graceMs, ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }) }),
    ...(options.logMaxLen === undefined ? {} : { logMaxLen: options.logMaxLen }),
  });
  return {
    sessions,
    departed: new RedisDepartedStore(sessions.client, { prefix }),
    pushRegistrations: new RedisPushRegistrationStore(sessions.client, { prefix }),
    heldMessages: new RedisHeldMessageStore(sessions.client, { prefix, now: node.now, ...(node.hold ?? {}) }),
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
  };
}

/**
 * A deployment whose nodes run in one process, sharing plain maps instead of Redis, with the same
 * behaviour as nodes on Redis: for embedding several nodes in one program, and for tests that need
 * several nodes without a Redis server. Each `createServer({ deployment: shared.node() })` is one node.
 */
export class MemoryDeployment {
  readonly #sessions: MemorySessionState;
  readonly #departed = new MemoryDepartedStore();
  readonly #registrations = new MemoryPushRegistrationStore();
  readonly #held: MemoryHeldMessageStore;
  readonly #leaseMs: number | undefined;

  constructor(options: MemorySessionStateOptions & { leaseMs?: number; hold?: HeldLimits } = {}) {
    this.#sessions = new MemorySessionState(options);
    this.#held = new MemoryHeldMessageStore(options.now ?? Date.now, options.hold ?? {});
    this.#leaseMs = options.leaseMs;
  }

  node(): DeploymentStores {
    return {
      sessions: this.#sessions.connect(),
      departed: this.#departed,
      pushRegistrations: this.#registrations,
      heldMessages: this.#held,
      ...(this.#leaseMs === undefined ? {} : { leaseMs: this.#leaseMs }),
    };
  }
}
