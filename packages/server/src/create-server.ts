import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES, VigilError, isBaseUrl, parseSessionId, randomId, type LivenessTimers } from '@vigil/protocol';
import { systemClock, type Clock } from './clock.js';
import { ConnectionGrace } from './connection-grace.js';
import { ConnectionTimeline } from './connection-timeline.js';
import { MemoryDepartedStore, type DepartedStore } from './departed-connections.js';
import { ExitedConnections } from './exited-connections.js';
import { Liveness } from './liveness.js';
import { createConsoleLogger, type Logger } from './logger.js';
import { Outbox } from './outbox.js';
import { ProjectDirectory } from './projects.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimit } from './rate-limiter.js';
import { SessionRegistry } from './session-registry.js';
import type { IceServer } from '@vigil/protocol';
import type { MediaEngine, MediaEngineStats } from './media/routed/media-engine.js';
import { WeriftEngine } from './media/routed/werift-engine.js';
import type { WeriftNetworkOptions } from './media/routed/werift-peer.js';
import { StreamService } from './streams/stream-service.js';
import type { ServerContext } from './server-context.js';
import { sendError } from './http/respond.js';
import { Router } from './http/router.js';
import { addSessionRoutes } from './http/session-routes.js';
import { addSignalRoutes } from './http/signal-routes.js';
import { addModerationRoutes } from './http/moderation-routes.js';
import { addInspectRoutes } from './http/inspect-routes.js';
import { addStreamRoutes } from './http/stream-routes.js';
import { addUnsupportedRoutes } from './http/unsupported-routes.js';
import { addOpenApiRoute } from './http/openapi.js';
import { answerClientError } from './http/client-error.js';
import { requestUrl } from './http/request-url.js';
import { addOpsRoutes } from './http/ops-routes.js';
import { addPushRoutes } from './http/push-routes.js';
import { createPushService } from './push/create-push-service.js';
import type { PushOptions } from './push/push-options.js';
import { createServerMetrics } from './server-metrics.js';
import { attachNewConnection, attachResumedConnection, closeForReason } from './ws/attach-socket.js';
import { authenticateUpgrade, claimDeparted, refuseUpgrade } from './ws/upgrade.js';
import { resolveTimers } from './timers-config.js';
import { ClusterNode } from './cluster/cluster-node.js';
import { redactRedisUrl } from './cluster/redis-address.js';
import { redisDeployment, type DeploymentStores, type NodeSettings, type RedisDeploymentOptions } from './cluster/deployment.js';
import { Handoff } from './cluster/handoff.js';
import { forwardToSessionNode } from './cluster/rest-forwarding.js';

export interface ServerOptions {
  /** The project's API key: a numeric string such as `47000001` keeps every OpenTok SDK happy. */
  apiKey: string;
  /** The project's secret (≥ 16 characters). */
  apiSecret: string;
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** Liveness timers; unspecified ones take the defaults of `lifecycle.md`. */
  timers?: Partial<LivenessTimers>;
  clock?: Clock;
  logger?: Logger;
  /** Per-connection message rate limit. Default 1 000 at once, refilled at 200/s. */
  rateLimit?: RateLimit;
  /**
   * Bytes of frames kept per connection until the client confirms them. A connected reader further
   * behind counts as silent; for a client that is away, the oldest signals are dropped (it is told how
   * many). Default 1 MiB.
   */
  maxSendQueueBytes?: number;
  /** Extra HTTP handling (the CLI serves the demo and the browser client here); return true if handled. */
  httpHandler?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
  /** STUN/TURN servers clients use for their peer connections, sent in the welcome. Default none. */
  iceServers?: IceServer[];
  /** Streams one connection may publish at once (`STREAM_LIMIT_REACHED` beyond). Default 4. */
  maxStreamsPerConnection?: number;
  /** Routed sessions' forwarding unit. Default: werift, started on the first routed publish. */
  mediaEngine?: MediaEngine;
  /** Where the werift engine gathers its candidates (default: host addresses plus 127.0.0.1). */
  routedNetwork?: WeriftNetworkOptions;
  /** Push wake-up: APNs, FCM and Web Push credentials, stores and policy (docs/push.md). */
  push?: PushOptions;
  /**
   * Several nodes, one set of sessions: a Redis URL (`redis://127.0.0.1:6379`) or its options. Every
   * node pointed at the same Redis (and prefix) serves the same sessions (docs/scale-out.md).
   * Default: none, all state in this process.
   */
  redis?: string | RedisDeploymentOptions;
  /**
   * Several nodes without Redis: the stores this node shares with others (`MemoryDeployment.node()`
   * for nodes in one process). Ignored when `redis` is set.
   */
  deployment?: DeploymentStores;
  /**
   * This node's URL as clients reach it directly (not through the load balancer), for sending joiners
   * of a routed session to the node that serves its media. Default: the URL it listens on.
   */
  publicUrl?: string;
  /**
   * Which sessions are served by one node of a deployment (their members sent there): `routed` (default:
   * routed sessions, whose forwarding unit is on one node) or `all` (relayed ones too, so their
   * peer-to-peer media negotiation stays on one node; presence and signals then never cross nodes).
   */
  sessionAffinity?: 'routed' | 'all';
  /**
   * New connections (joins, and resumes taken over from other nodes) this node accepts: a burst, then a
   * rate per second; beyond, `SERVER_BUSY` and the SDK backs off. Keeps a reconnect wave (a drained or
   * dead node's clients) from overrunning a node. Default: no limit.
   */
  maxJoinRate?: RateLimit;
}

export interface VigilServer {
  /** Base URL, e.g. `http://127.0.0.1:4000`; what clients and the OpenTok SDK are pointed at. */
  readonly url: string;
  readonly port: number;
  readonly timers: Readonly<LivenessTimers>;
  /** Number of live connections across all sessions. */
  connectionCount(): number;
  /** The routed media engine's counts (peer connections, tracks, packets); zeros before first use. */
  mediaStats(): MediaEngineStats;
  /** This node's id in a multi-node deployment (undefined on a single node). */
  readonly nodeId: string | undefined;
  /**
   * Tells every client `serverShutdown` (with `retryAfterMs`, plus a random share of `retrySpreadMs`
   * per client so they do not all come back at once), then stops. Idempotent.
   */
  close(options?: { retryAfterMs?: number; retrySpreadMs?: number }): Promise<void>;
}

/**
 * Starts a Vigil server: REST for app servers, WebSocket for clients.
 *
 * @example
 * const server = await createServer({ apiKey: '47000001', apiSecret: 'a-long-random-secret-value' });
 * console.log(server.url);
 * await server.close();
 */
export async function createServer(options: ServerOptions): Promise<VigilServer> {
  if (options.publicUrl !== undefined && !isBaseUrl(options.publicUrl)) {
    throw new TypeError(`publicUrl must be a base URL such as http://node-1.example:4000 (got ${options.publicUrl.slice(0, 100)})`);
  }
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? createConsoleLogger('info');
  const timers = resolveTimers(options.timers);
  const projects = new ProjectDirectory([{ apiKey: options.apiKey, apiSecret: options.apiSecret }]);
  const maxReplayBytes = options.maxSendQueueBytes ?? 1024 * 1024;
  const outbox = new Outbox();
  const graceMs = { network: timers.networkGraceMs, suspend: timers.suspendGraceMs };
  const nodeId = randomId(12);
  const shared = deploymentOf(options, { name: `vigil-${nodeId}`, graceMs, now: () => clock.now(), ...(options.push?.hold?.maxBytesPerIdentity === undefined ? {} : { hold: { maxBytesPerIdentity: options.push.hold.maxBytesPerIdentity } }) });
  const cluster = shared ? await startClusterNode(shared, { nodeId, graceMs, log }, options.redis) : undefined;
  const registry = new SessionRegistry(outbox, log, cluster);
  if (cluster) {
    cluster.localMembers = function* () {
      for (const connection of registry.allConnections()) {
        yield { sessionId: connection.sessionId, member: { info: connection.info(), resume: connection.resumeRecord() } };
      }
    };
    cluster.onResync = (sessionId, before, newStreams) => registry.resynced(sessionId, before, newStreams);
  }
  const liveness = new Liveness(clock, timers, (connection) => {
    log.info('liveness: silent', { connection: connection.id, silentMs: clock.now() - connection.lastHeardAt });
    grace.goAway(connection, 'silent');
  });
  const timeline = new ConnectionTimeline(() => clock.now());
  // Shared in a deployment: a client may rejoin through another node than the one its old connection ended on.
  const departed: DepartedStore = shared?.departed ?? new MemoryDepartedStore();
  const exited = new ExitedConnections();
  const metrics = createServerMetrics(registry, cluster);
  const grace = new ConnectionGrace({ registry, liveness, clock, timers, log, timeline, metrics });
  const streams = new StreamService({
    registry,
    log,
    clock,
    iceServers: options.iceServers ?? [],
    maxStreamsPerConnection: options.maxStreamsPerConnection ?? 4,
    createEngine: () => options.mediaEngine ?? new WeriftEngine(options.routedNetwork),
  });
  const push = createPushService({ registry, clock, log, options: shared ? sharedPushStores(shared, options.push ?? {}) : options.push });
  let handoff: Handoff | undefined;
  const ctx: ServerContext = {
    handoff: () => handoff,
    requireMediaHome: (sessionId) => requireMediaHome(sessionId),
    streams,
    push,
    projects,
    registry,
    liveness,
    timers,
    clock,
    log,
    timeline,
    departed,
    exited,
    grace,
    metrics,
    cluster,
    nowSeconds: () => Math.floor(clock.now() / 1000),
  };
  handoff = cluster ? new Handoff(ctx, cluster) : undefined;
  const joinLimiter = options.maxJoinRate ? new RateLimiter(options.maxJoinRate, clock.now()) : undefined;
  registry.onJoined = (connection) => {
    timeline.record(connection, 'joined', connection.role);
    metrics.joined();
    push.joined(connection);
  };
  registry.onLeaving = (session, connection, reason) => streams.connectionLeaving(session, connection, reason);
  registry.onRemoteLeft = (session, connectionId, reason) => streams.crossNode.remoteLeft(session, connectionId, reason);
  registry.onRemoteStreamEvent = (session) => streams.crossNode.prune(session);
  registry.onRelay = (session, publisher, payload) => streams.crossNode.relayed(session, publisher, payload);
  if (cluster) {
    cluster.localStreams = function* () {
      const seen = new Set<string>();
      for (const { sessionId } of registry.allConnections()) {
        if (!seen.has(sessionId)) {
          seen.add(sessionId);
          for (const stream of registry.get(sessionId)?.streams.values() ?? []) {
            if (stream.live) {
              yield { sessionId, info: stream.info() };
            }
          }
        }
      }
    };
  }
  registry.onDestroyed = (connection, reason) => {
    metrics.destroyed(reason);
    liveness.stop(connection);
    grace.cancel(connection);
    timeline.record(connection, 'destroyed', reason);
    exited.remember(connection, reason, clock.now());
    departed.remember(connection.id, { sessionId: connection.sessionId, resumeToken: connection.resumeToken, lastRequestId: connection.lastRequestId }).catch((err: unknown) => {
      log.warn('departed connection not remembered', { connection: connection.id, error: String(err) });
    });
    closeForReason(connection, reason);
    push.left(connection, reason); // before the replay is cleared: it holds what never got delivered
    connection.replay.clear();
  };
  outbox.onOverflow = (connection) => {
    log.warn('outbox overflow: treating as silent', { connection: connection.id, unconfirmedBytes: connection.replay.bytes });
    grace.goAway(connection, 'overflow');
  };

  const router = new Router();
  addSessionRoutes(router, ctx);
  addSignalRoutes(router, ctx);
  addModerationRoutes(router, ctx);
  addInspectRoutes(router, ctx);
  addStreamRoutes(router, ctx);
  addUnsupportedRoutes(router);
  addOpenApiRoute(router);
  addOpsRoutes(router, ctx, metrics.metrics, () => !closing && (cluster?.healthy ?? true));
  addPushRoutes(router, ctx);
  registry.onSignalWhileAway = (connection, bytes) => push.signalWhileAway(connection, bytes);

  const http = createHttpServer((req, res) => {
    void handleHttp(req, res).catch((err: unknown) => sendError(res, err, log));
  });
  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    if (cluster && (await forwardToSessionNode(req, res, url.pathname, { cluster, registry, log }))) {
      return;
    }
    const route = router.match(req.method ?? 'GET', url.pathname);
    if (route) {
      await route.handler(req, res, route.params, url);
      return;
    }
    if (options.httpHandler && (await options.httpHandler(req, res))) {
      return;
    }
    throw new VigilError('NOT_FOUND');
  }

  http.on('clientError', answerClientError);

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  let closing = false;
  const publicUrl = options.publicUrl;
  /**
   * A routed session's forwarding unit runs on one node (recorded in Redis): joiners that land on
   * another node are sent there (`SESSION_ELSEWHERE` with its URL; the SDK follows it).
   */
  const requireMediaHome = async (sessionId: string): Promise<string | undefined> => {
    const tied = options.sessionAffinity === 'all' || parseSessionId(sessionId)?.mediaMode === 'routed';
    if (!cluster || !tied) {
      return undefined;
    }
    const home = await cluster.claimHome(sessionId, publicUrl ?? url);
    if (home.node !== cluster.nodeId) {
      throw new VigilError('SESSION_ELSEWHERE', undefined, { redirect: home.url });
    }
    return home.url;
  };
  const isLocalResume = (req: IncomingMessage): boolean => {
    const query = requestUrl(req).searchParams;
    const resume = query.get('resume');
    return resume !== null && registry.get(query.get('sessionId') ?? '')?.connections.has(resume) === true;
  };
  http.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    void (async () => {
      if (closing) {
        throw new VigilError('SERVER_SHUTTING_DOWN');
      }
      // Before authenticating: a refused join must not have claimed its previous connection already.
      // Resumes of connections held here are exempt: they add no connection.
      if (joinLimiter && !isLocalResume(req) && !joinLimiter.take(clock.now())) {
        metrics.busy();
        throw new VigilError('SERVER_BUSY');
      }
      const upgrade = authenticateUpgrade(ctx, req);
      // A joiner's welcome lists the members on every node: subscribe and read them first.
      let held = false;
      if (cluster && upgrade.kind === 'join') {
        await cluster.hold(upgrade.grant.sessionId);
        held = true;
        try {
          await requireMediaHome(upgrade.grant.sessionId);
        } catch (err) {
          held = false;
          cluster.release(upgrade.grant.sessionId);
          throw err;
        }
        if (socket.destroyed || closing) {
          cluster.release(upgrade.grant.sessionId);
          return;
        }
        // Released by the registry when the connection is destroyed, or here if the handshake dies first.
        socket.once('close', () => {
          if (held) {
            held = false;
            cluster.release(upgrade.grant.sessionId);
          }
        });
      }
      if (upgrade.kind === 'remoteResume') {
        await requireMediaHome(upgrade.sessionId);
        const limits = { rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT, maxReplayBytes };
        const connection = await (handoff as Handoff).takeOver(upgrade, limits);
        // Adopted and away: if this handshake dies now, the grace ends it like any absent client.
        wss.handleUpgrade(req, socket, head, (ws) => {
          if (connection.destroyedReason) {
            ws.close(4010, 'RESUME_FAILED');
            return;
          }
          attachResumedConnection(ctx, ws, connection, upgrade.rx);
        });
        return;
      }
      const previous = upgrade.kind === 'join' && upgrade.previous ? await claimDeparted(ctx, upgrade.grant.sessionId, upgrade.previous) : undefined;
      if (socket.destroyed) {
        return; // the client gave up while its old connection was looked up (the hold is released on close)
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        held = false;
        if (upgrade.kind === 'resume') {
          if (upgrade.connection.destroyedReason) {
            // Destroyed while the handshake was in flight.
            ws.close(4010, 'RESUME_FAILED');
            return;
          }
          attachResumedConnection(ctx, ws, upgrade.connection, upgrade.rx);
        } else {
          attachNewConnection(ctx, ws, upgrade.grant, {
            rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
            maxReplayBytes,
            previous,
          });
        }
      });
    })().catch((err: unknown) => {
      log.info('upgrade refused', { code: err instanceof VigilError ? err.code : 'INTERNAL' });
      refuseUpgrade(socket, err);
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log.info('listening', { url });

  let closed: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    timers,
    nodeId: cluster?.nodeId,
    connectionCount: () => [...registry.allConnections()].length,
    mediaStats: () => streams.mediaStats(),
    close(closeOptions = {}) {
      closed ??= (async () => {
        closing = true;
        const spread = closeOptions.retrySpreadMs ?? 0;
        for (const connection of registry.allConnections()) {
          const base = closeOptions.retryAfterMs;
          // In a deployment the session lives on: the client joins again through the balancer.
          closeForReason(connection, 'serverShutdown', base === undefined ? undefined : base + Math.floor(Math.random() * spread), cluster !== undefined);
        }
        registry.destroyAll('serverShutdown');
        await cluster?.close();
        await streams.close();
        await push.close();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        http.closeIdleConnections();
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => http.closeAllConnections(), 3_000);
          force.unref();
          http.close(() => {
            clearTimeout(force);
            resolve();
          });
        });
        log.info('closed', { url });
      })();
      return closed;
    },
  };
}

/** The stores this node shares with other nodes, if it is part of a deployment. */
function deploymentOf(options: ServerOptions, node: NodeSettings): DeploymentStores | undefined {
  if (options.redis !== undefined) {
    return redisDeployment(typeof options.redis === 'string' ? { url: options.redis } : options.redis, node);
  }
  return options.deployment;
}

async function startClusterNode(shared: DeploymentStores, options: { nodeId: string; graceMs: { network: number; suspend: number }; log: Logger }, redis: ServerOptions['redis']): Promise<ClusterNode> {
  try {
    return await ClusterNode.start(shared.sessions, { ...options, ...(shared.leaseMs === undefined ? {} : { leaseMs: shared.leaseMs }) });
  } catch (err) {
    const where = redis === undefined ? 'the deployment\'s store' : `Redis at ${redactRedisUrl(typeof redis === 'string' ? redis : redis.url)}`;
    throw new Error(`${where} did not answer: ${(err as Error).message}`);
  }
}

/**
 * Nodes of a deployment share push registrations and held messages (a device registered through one
 * node is woken by another), unless the app passed stores of its own.
 */
function sharedPushStores(shared: DeploymentStores, push: PushOptions): PushOptions {
  return { ...push, store: push.store ?? shared.pushRegistrations, heldStore: push.heldStore ?? shared.heldMessages };
}
