import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionId, randomId } from '@vigil/protocol';
import { createServer, MemoryDeployment, silentLogger, type VigilServer } from '@vigil/server';
import { nextEvent, TcpBalancer } from '@vigil/test-kit';
import { sessionClients } from './cluster-harness.js';
import { acrossTwoNodes, resumeOnAnotherNode, type Nodes } from './cluster-scenarios.js';

// Nodes in one process on a `MemoryDeployment` behave as nodes on Redis do: the same scenarios as
// cluster.test.ts and cluster-resume.test.ts, with no Redis server (`session-store.ts`).

async function deployInProcess(t: TestContext, count: number): Promise<Nodes & { servers: VigilServer[] }> {
  const shared = new MemoryDeployment({ leaseMs: 1_000 });
  const apiKey = String(47_200_000 + Math.floor(Math.random() * 99_999));
  const apiSecret = randomId(40);
  const sessionId = createSessionId({ apiKey, mediaMode: 'relayed' });
  const servers: VigilServer[] = [];
  const clients = sessionClients({ apiKey, apiSecret, sessionId });
  t.after(async () => {
    clients.disconnectAll();
    await Promise.all(servers.map((server) => server.close()));
  });
  for (let i = 0; i < count; i += 1) {
    servers.push(await createServer({ apiKey, apiSecret, port: 0, logger: silentLogger, deployment: shared.node() }));
  }
  return { servers, nodes: servers.map((server) => ({ url: server.url })), join: clients.join };
}

test('in one process on a memory deployment, two nodes, one session: presence both ways, signals in per-sender order exactly once, targeted across nodes', async (t) => {
  await acrossTwoNodes(await deployInProcess(t, 2));
});

test('in one process on a memory deployment, a client resumes on another node: same connection id, signals sent while it was away arrive once, in order', async (t) => {
  await resumeOnAnotherNode(t, await deployInProcess(t, 2));
});

test('in one process on a memory deployment, a node that stops sends its clients to the other node (through a balancer), where they rejoin', async (t) => {
  const d = await deployInProcess(t, 2);
  const [one, two] = d.servers as [VigilServer, VigilServer];
  const balancer = await TcpBalancer.start([one.url, two.url]);
  t.after(() => balancer.close());
  balancer.use([one.url]);
  const alice = await d.join(balancer.url, 'alice');
  const bob = await d.join(two.url, 'bob');
  const oldId = alice.connection?.connectionId;
  const back = nextEvent(alice, 'sessionReconnected', { timeoutMs: 20_000 });
  const left = nextEvent(bob, 'connectionDestroyed');
  balancer.use([two.url]);
  await one.close({ retryAfterMs: 100, retrySpreadMs: 100 });
  assert.equal((await back).rejoined, true);
  assert.equal((await left).connection.connectionId, oldId, 'bob saw her old connection go');
  const heard = nextEvent(bob, 'signal:hi');
  await alice.signal({ type: 'hi', data: 'from node two' });
  assert.equal((await heard).from?.connectionId, alice.connection?.connectionId);
  assert.deepEqual(bob.connections.map((c) => c.data).sort(), ['alice', 'bob']);
});
