import type { ServerContext } from '../server-context.js';
import type { Metrics } from '../metrics.js';
import { sendJson } from './respond.js';
import type { Router } from './router.js';

/**
 * Operations endpoints, unauthenticated and without secrets: `/healthz` (the process answers),
 * `/readyz` (it accepts new connections; 503 while shutting down), `/metrics` (Prometheus text).
 */
export function addOpsRoutes(router: Router, ctx: ServerContext, metrics: Metrics, isReady: () => boolean): void {
  router.add('GET', '/healthz', (_req, res) => {
    sendJson(res, 200, { status: 'ok' });
  });
  router.add('GET', '/readyz', (_req, res) => {
    const ready = isReady();
    const cluster = ctx.cluster;
    if (!cluster) {
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'shutting-down', sessions: ctx.registry.sessionCount });
      return;
    }
    // In a deployment, not ready also means "cannot reach Redis": the load balancer should send new
    // clients elsewhere, while the ones here stay connected.
    const status = ready ? 'ready' : cluster.healthy ? 'shutting-down' : 'degraded';
    sendJson(res, ready ? 200 : 503, { status, sessions: ctx.registry.sessionCount, node: cluster.nodeId, redis: cluster.healthy ? 'up' : 'down' });
  });
  router.add('GET', '/metrics', (_req, res) => {
    const body = metrics.render();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}
