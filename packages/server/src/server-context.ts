import type { LivenessTimers } from '@vigil/protocol';
import type { ClusterLink } from './cluster/cluster-link.js';
import type { Handoff } from './cluster/handoff.js';
import type { Clock } from './clock.js';
import type { ConnectionGrace } from './connection-grace.js';
import type { ConnectionTimeline } from './connection-timeline.js';
import type { Liveness } from './liveness.js';
import type { Logger } from './logger.js';
import type { ProjectDirectory } from './projects.js';
import type { DepartedStore } from './departed-connections.js';
import type { ExitedConnections } from './exited-connections.js';
import type { ServerMetrics } from './server-metrics.js';
import type { SessionRegistry } from './session-registry.js';
import type { PushService } from './push/push-service.js';
import type { StreamService } from './streams/stream-service.js';

/** What request and socket handlers share. Built once by `createServer`. */
export interface ServerContext {
  projects: ProjectDirectory;
  registry: SessionRegistry;
  liveness: Liveness;
  timers: LivenessTimers;
  clock: Clock;
  log: Logger;
  /** Lifecycle history of every connection (joined, state changes, exit). */
  timeline: ConnectionTimeline;
  /** Suspension grace and resume. */
  grace: ConnectionGrace;
  /** Exited connections a rejoining client may name, to learn what its last requests achieved. */
  departed: DepartedStore;
  /** The last 1 000 exited connections (session, data, reason), for REST inspection. */
  exited: ExitedConnections;
  /** Published streams, subscriptions and the routed media engine. */
  streams: StreamService;
  /** Counters for `/metrics`. */
  metrics: ServerMetrics;
  /** Push wake-up: identities, push registrations, held messages, invites (docs/push.md). */
  push: PushService;
  /**
   * Throws `SESSION_ELSEWHERE` (with the URL) when another node serves this routed session's media;
   * returns this node's public URL when it does, undefined when the session is not tied to a node.
   */
  requireMediaHome(sessionId: string): Promise<string | undefined>;
  /** Resume on another node (multi-node deployments only). */
  handoff(): Handoff | undefined;
  /** The other nodes of a multi-node deployment, through Redis; undefined on a single node. */
  cluster: ClusterLink | undefined;
  nowSeconds(): number;
}
