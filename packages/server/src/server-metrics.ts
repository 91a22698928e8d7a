import { Metrics } from './metrics.js';
import type { SessionRegistry } from './session-registry.js';

/** The counters the server updates as it works, and the registry behind the gauges. */
export interface ServerMetrics {
  readonly metrics: Metrics;
  readonly joined: () => void;
  readonly destroyed: (reason: string) => void;
  readonly signals: (deliveries: number) => void;
  readonly resumed: () => void;
  readonly wentAway: (state: string) => void;
}

export function createServerMetrics(registry: SessionRegistry): ServerMetrics {
  const metrics = new Metrics();
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
  };
}
