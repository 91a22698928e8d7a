import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { initSession, type Session } from '@vigil/client';
import { createSessionId, randomId } from '@vigil/protocol';
import { mintClientToken } from '@vigil/server';
import { nextEvent, startClusterNode, startRedis, startSentinel, waitUntil, type ClusterNode } from '@vigil/test-kit';
import { NODE_ARGS, idOf } from './cluster-harness.js';

// Redis behind Sentinel (docs/scale-out.md): nodes find the master through Sentinel, and when the
// master dies and Sentinel promotes its replica, they follow it — members stay, signals cross again.

test('redis+sentinel, with a password-protected Sentinel: two nodes follow a failover to the promoted replica; members stay and signals cross again', async (t) => {
  const master = await startRedis();
  t.after(() => master.stop());
  const replica = await startRedis({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
  t.after(() => replica.stop());
  const probe = new Redis(replica.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  probe.on('error', () => {}); // reconnect noise while the master changes
  t.after(() => probe.disconnect());
  await probe.connect();
  await waitUntil(async () => (await probe.info('replication')).includes('master_link_status:up'), 'the replica follows the master', 10_000);
  // The Sentinel has a password of its own (the URL's `sentinelPassword`); the nodes could not find the master without it.
  const sentinel = await startSentinel(master.port, 'vigil', { password: 'sentinel-secret' });
  t.after(() => sentinel.stop());

  const apiKey = String(47_300_000 + Math.floor(Math.random() * 99_999));
  const apiSecret = randomId(40);
  const nodes: ClusterNode[] = [];
  const sessions: Session[] = [];
  t.after(async () => {
    sessions.forEach((s) => s.disconnect());
    await Promise.all(nodes.map((n) => n.kill()));
  });
  for (let i = 0; i < 2; i += 1) {
    nodes.push(await startClusterNode({ redisUrl: sentinel.sentinelUrl, apiKey, apiSecret, args: NODE_ARGS }));
  }
  const [one, two] = nodes as [ClusterNode, ClusterNode];
  const sessionId = createSessionId({ apiKey, mediaMode: 'relayed' });
  const join = async (url: string, data: string) => {
    const session = initSession(apiKey, sessionId, { url, WebSocket });
    sessions.push(session);
    await session.connect(mintClientToken({ apiKey, apiSecret, sessionId, data }));
    return session;
  };
  const alice = await join(one.url, 'alice');
  const bob = await join(two.url, 'bob');
  assert.deepEqual(bob.connections.map((c) => c.data).sort(), ['alice', 'bob'], 'found through Sentinel, shared');
  const first = nextEvent(bob, 'signal:n');
  await alice.signal({ type: 'n', data: 'before' });
  assert.equal((await first).data, 'before');
  const aliceId = idOf(alice);
  const gone: string[] = [];
  for (const s of [alice, bob]) {
    s.on('connectionDestroyed', ({ connection }) => gone.push(connection.data));
  }

  await master.halt(); // the master dies; Sentinel promotes the replica
  await waitUntil(async () => (await probe.info('replication')).includes('role:master'), 'Sentinel promoted the replica', 20_000);
  // Signals sent while the nodes are still finding the new master may be lost (pub/sub has no memory):
  // keep sending until one crosses.
  const heard: string[] = [];
  bob.on('signal:after', ({ data }) => heard.push(data));
  for (let i = 0; i < 120 && heard.length === 0; i += 1) {
    await alice.signal({ type: 'after', data: `after-${i}` }).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const clusterLog = (node: ClusterNode) => node.log().split('\n').filter((line) => line.includes('cluster')).slice(-15).join('\n');
  assert.ok(heard.length > 0, `a signal crosses nodes again after the failover\n--- node one\n${clusterLog(one)}\n--- node two\n${clusterLog(two)}`);
  for (const node of [one, two]) {
    await waitUntil(async () => (await fetch(`${node.url}/readyz`)).status === 200, 'ready again', 10_000);
  }
  const late = await join(two.url, 'carol');
  assert.deepEqual(late.connections.map((c) => c.data).sort(), ['alice', 'bob', 'carol'], "a joiner's welcome lists the members kept through the failover");
  assert.deepEqual(gone, [], 'nobody was taken for gone');
  assert.equal(idOf(alice), aliceId, 'alice kept her connection');
});
