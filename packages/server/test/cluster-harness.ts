import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { initSession, type Session } from '@vigil/client';
import { createSessionId, randomId } from '@vigil/protocol';
import { mintClientToken } from '@vigil/server';
import { startClusterNode, startRedis, TcpBalancer, type ClusterNode, type RedisHandle } from '@vigil/test-kit';

/**
 * Several `vigil serve` processes on one real redis-server: one set of sessions whichever node a
 * client lands on (issue 9). Leases are short so a node's death plays out in seconds; liveness timers keep
 * their defaults, so a loaded machine cannot make a client look silent.
 */
export const NODE_ARGS = ['--node-lease-ms', '1000'];

export interface Deployment {
  redis: RedisHandle;
  nodes: ClusterNode[];
  apiKey: string;
  apiSecret: string;
  sessionId: string;
  join(url: string, data: string, options?: { tokenProvider?: () => string }): Promise<Session>;
  /** A session object for `url`, not connected (tracked for teardown); the deployment's session unless `sessionId`. */
  session(url: string, sessionId?: string): Session;
  token(data: string, sessionId?: string): string;
}

export async function deploy(t: TestContext, count: number, nodeArgs: (index: number) => string[] = () => []): Promise<Deployment> {
  const redis = await startRedis();
  const apiKey = String(47_100_000 + Math.floor(Math.random() * 99_999));
  const apiSecret = randomId(40);
  const nodes: ClusterNode[] = [];
  const sessions: Session[] = [];
  t.after(async () => {
    for (const session of sessions) {
      session.disconnect();
    }
    await Promise.all(nodes.map((node) => node.kill()));
    await redis.stop();
  });
  for (let i = 0; i < count; i += 1) {
    nodes.push(await startClusterNode({ redisUrl: redis.url, apiKey, apiSecret, args: [...NODE_ARGS, ...nodeArgs(i)] }));
  }
  const sessionId = createSessionId({ apiKey, mediaMode: 'relayed' });
  return {
    redis,
    nodes,
    apiKey,
    apiSecret,
    sessionId,
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
