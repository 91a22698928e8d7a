import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { initSession, type Session } from '@vigil/client';
import { createSessionId, randomId } from '@vigil/protocol';
import { mintClientToken } from '@vigil/server';
import { startClusterNode, startRedis, startRedisCluster, TcpBalancer, type ClusterNode, type RedisClusterHandle, type RedisHandle } from '@vigil/test-kit';

/**
 * Several `vigil serve` processes on one real redis-server: one set of sessions whichever node a
 * client lands on (issue 9). Leases are short so a node's death plays out in seconds; liveness timers keep
 * their defaults, so a loaded machine cannot make a client look silent.
 */
export const NODE_ARGS = ['--node-lease-ms', '1000'];

export interface Deployment {
  /** The redis-server the nodes share (on Redis Cluster, all its masters at once). */
  redis: RedisHandle;
  redisUrl: string;
  /** The Redis Cluster, when deployed on one (`redisCluster`). */
  redisCluster?: RedisClusterHandle;
  nodes: ClusterNode[];
  apiKey: string;
  apiSecret: string;
  sessionId: string;
  join(url: string, data: string, options?: { tokenProvider?: () => string }): Promise<Session>;
  /** A session object for `url`, not connected (tracked for teardown); the deployment's session unless `sessionId`. */
  session(url: string, sessionId?: string): Session;
  token(data: string, sessionId?: string): string;
}

/**
 * `count` nodes on a fresh redis-server, or on a fresh Redis Cluster of three masters (`redisCluster`),
 * each with a replica if `replicas`; with `secure`, a cluster on TLS with an ACL user (the nodes trust
 * its certificate through `NODE_EXTRA_CA_CERTS`); `secure` alone does the same to the one redis-server.
 * `pickSession` chooses the deployment's session among fresh ids (at most 100 tried).
 */
export async function deploy(
  t: TestContext,
  count: number,
  nodeArgs: (index: number) => string[] = () => [],
  options: { redisCluster?: boolean; replicas?: boolean; secure?: boolean | 'hostnames'; pickSession?: (sessionId: string, cluster: RedisClusterHandle | undefined) => Promise<boolean> } = {},
): Promise<Deployment> {
  const cluster = options.redisCluster ? await startRedisCluster({ replicas: options.replicas ?? false, secure: options.secure ?? false }) : undefined;
  const redis: RedisHandle = cluster ? clusterStandIn(cluster) : await startRedis({ secure: Boolean(options.secure) });
  const redisUrl = cluster ? cluster.url : redis.url;
  const caFile = cluster ? cluster.secure?.caFile : redis.secure?.caFile;
  const env: Record<string, string> = caFile ? { NODE_EXTRA_CA_CERTS: caFile } : {};
  const apiKey = String(47_100_000 + Math.floor(Math.random() * 99_999));
  const apiSecret = randomId(40);
  const nodes: ClusterNode[] = [];
  let clients: SessionClients | undefined;
  t.after(async () => {
    clients?.disconnectAll();
    await Promise.all(nodes.map((node) => node.kill()));
    await redis.stop();
  });
  for (let i = 0; i < count; i += 1) {
    nodes.push(await startClusterNode({ redisUrl, apiKey, apiSecret, args: [...NODE_ARGS, ...nodeArgs(i)], env }));
  }
  let sessionId = createSessionId({ apiKey, mediaMode: 'relayed' });
  for (let tries = 1; options.pickSession && !(await options.pickSession(sessionId, cluster)); tries += 1) {
    assert.ok(tries < 100, 'no session id suits the test');
    sessionId = createSessionId({ apiKey, mediaMode: 'relayed' });
  }
  clients = sessionClients({ apiKey, apiSecret, sessionId });
  return { redis, redisUrl, ...(cluster ? { redisCluster: cluster } : {}), nodes, apiKey, apiSecret, sessionId, ...clients };
}

export interface SessionClients extends Pick<Deployment, 'join' | 'session' | 'token'> {
  /** Disconnects every session made here (a test's teardown, before its nodes stop). */
  disconnectAll(): void;
}

/** Client sessions of one project, joined through any node; `sessionId` is the one they join by default. */
export function sessionClients(credentials: { apiKey: string; apiSecret: string; sessionId: string }): SessionClients {
  const { apiKey, apiSecret, sessionId } = credentials;
  const sessions: Session[] = [];
  return {
    session(url, id = sessionId) {
      const session = initSession(apiKey, id, { url, WebSocket });
      sessions.push(session);
      return session;
    },
    token: (data, id = sessionId) => mintClientToken({ apiKey, apiSecret, sessionId: id, data }),
    async join(url, data, options = {}) {
      const session = initSession(apiKey, sessionId, { url, WebSocket, ...(options.tokenProvider ? { tokenProvider: options.tokenProvider } : {}) });
      sessions.push(session);
      await session.connect(mintClientToken({ apiKey, apiSecret, sessionId, data }));
      return session;
    },
    disconnectAll() {
      for (const session of sessions) {
        session.disconnect();
      }
    },
  };
}

export function idOf(session: Session): string {
  const id = session.connection?.connectionId;
  assert.ok(id, 'connected');
  return id;
}

/** Every signal a session receives, as `from:data`, in arrival order. */
export function recordSignals(session: Session): string[] {
  const seen: string[] = [];
  session.on('signal', (event) => seen.push(`${event.from?.connectionId ?? 'server'}:${event.data}`));
  return seen;
}


/**
 * `name` joins the first node through a loopback balancer, which then sends any new connection to the
 * other nodes: where her client goes when the first node dies or drops her.
 */
export async function joinThroughBalancer(t: TestContext, d: Deployment, name: string): Promise<{ balancer: TcpBalancer; session: Session }> {
  const [first, ...others] = d.nodes as [ClusterNode, ...ClusterNode[]];
  const balancer = await TcpBalancer.start(d.nodes.map((n) => n.url));
  t.after(() => balancer.close());
  balancer.use([first.url]);
  const session = await d.join(balancer.url, name, { tokenProvider: () => d.token(name) });
  balancer.use(others.map((n) => n.url));
  return { balancer, session };
}

/** The Redis Cluster as one server: `halt` stops every master, `start` brings them back with empty memory. */
function clusterStandIn(cluster: RedisClusterHandle): RedisHandle {
  const all = (step: (index: number) => Promise<void>) => Promise.all(cluster.nodes.map((_, i) => step(i))).then(() => {});
  const handle: RedisHandle = {
    url: cluster.url,
    port: 0,
    pid: -1,
    stop: () => cluster.stop(),
    halt: () => all((i) => cluster.halt(i)),
    start: () => all((i) => cluster.start(i)),
    restart: async () => {
      await handle.halt();
      await handle.start();
    },
  };
  return handle;
}
