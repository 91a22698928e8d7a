import { Metrics } from './metrics.js';
import type { ClusterLink } from './cluster/cluster-link.js';
import type { SessionRegistry } from './session-registry.js';

/** The counters the server updates as it works, and the registry behind the gauges. */
export interface ServerMetrics {
  readonly metrics: Metrics;
  readonly joined: () => void;
  readonly destroyed: (reason: string) => void;
  readonly signals: (deliveries: number) => void;
  readonly resumed: () => void;
  readonly wentAway: (state: string) => void;
  /** A new connection refused by `maxJoinRate`. */
  readonly busy: () => void;
}

export function createServerMetrics(registry: SessionRegistry, cluster?: ClusterLink): ServerMetrics {
  const metrics = new Metrics();
  if (cluster) {
    metrics.gauge('vigil_cluster_redis_up', '1 while this node reaches Redis, 0 during an outage.', () => (cluster.healthy ? 1 : 0));
    metrics.gauge('vigil_cluster_redis_latency_ms', 'Round trip of the last lease renewal to Redis, in ms.', () => cluster.stats().redisLatencyMs);
    metrics.gauge('vigil_cluster_members_orphaned', 'Members of dead nodes this node marked as waiting for their clients (since start).', () => cluster.stats().orphaned);
    metrics.gauge('vigil_cluster_members_reaped', 'Members of dead nodes this node ended when their grace ran out (since start).', () => cluster.stats().reaped);
    metrics.gauge('vigil_cluster_handoffs_in', 'Connections taken over from other nodes (since start).', () => cluster.stats().handoffsIn);
    metrics.gauge('vigil_cluster_handoffs_out', 'Connections handed to other nodes (since start).', () => cluster.stats().handoffsOut);
    metrics.gauge('vigil_cluster_frames_lost', 'Times frames published for this node did not arrive (its probe noticed), since start.', () => cluster.stats().framesLost);
    metrics.gauge('vigil_cluster_frames_unpublished', 'Frames (signals, presence and stream changes) this node could not publish for the other nodes (since start); the resync re-announces presence and streams, but such signals never reached the other nodes\' members.', () => cluster.stats().framesUnpublished);
    metrics.gauge('vigil_cluster_departures_caught_up', 'Departures delivered late from the session log after such a loss or an outage (since start).', () => cluster.stats().departuresCaughtUp);
  }
  metrics.gauge('vigil_connections', 'Connections in all sessions, including those away within their grace.', () => {
    let n = 0;
    for (const _ of registry.allConnections()) n += 1;
    return n;
  });
  metrics.gauge('vigil_sessions', 'Sessions with at least one connection.', () => registry.sessionCount);
  const joins = metrics.counter('vigil_connections_joined_total', 'Connections created.');
  const exits = metrics.counter('vigil_connections_destroyed_total', 'Connections destroyed, by reason.');
  const signals = metrics.counter('vigil_signals_total', 'Signals accepted from clients and the REST API.');
  const deliveries = metrics.counter('vigil_signal_deliveries_total', 'Signal frames queued to recipients.');
  const resumes = metrics.counter('vigil_resumes_total', 'Connections resumed on a new socket within their grace.');
  const away = metrics.counter('vigil_connections_away_total', 'Connections that went silent, by state (reconnecting or suspended).');
  const busy = metrics.counter('vigil_joins_refused_busy_total', 'New connections refused by the join rate limit (SERVER_BUSY).');
  return {
    metrics,
    joined: () => joins(),
    destroyed: (reason) => exits({ reason }),
    signals: (n) => {
      signals();
      deliveries({}, n);
    },
    resumed: () => resumes(),
    wentAway: (state) => away({ state }),
    busy: () => busy(),
  };
}
