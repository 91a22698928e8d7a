import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { nextEvent, waitUntil, type ClusterNode, type RedisClusterHandle } from '@vigil/test-kit';
import { RedisKeys } from '../src/cluster/redis-keys.js';
import { deploy } from './cluster-harness.js';
import { acrossTwoNodes, nodeKilledMidTraffic, storeOutage, untilSignalsCross } from './cluster-scenarios.js';

// `vigil serve` nodes on a real Redis Cluster of three masters (`--redis redis+cluster://…`). The
// session is chosen so that its keys live on another master than the nodes' leases and orphans: a
// step that mixed the two in one script or transaction would fail there (CROSSSLOT).

const keys = new RedisKeys();

/** The port of the master that holds `key`, as the first server that answers tells. */
async function masterOf(cluster: RedisClusterHandle, key: string): Promise<number> {
  for (const server of [...cluster.nodes, ...cluster.replicas]) {
    try {
      return await masterBy(server, key);
    } catch {
      // stopped: ask the next one
    }
  }
  throw new Error('no server of the cluster answers');
}

async function masterBy(server: { host: string; port: number }, key: string): Promise<number> {
  const redis = new Redis(server.port, server.host, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', key));
    const ranges = (await redis.call('CLUSTER', 'SLOTS')) as [number, number, [string, number, ...unknown[]], ...unknown[]][];
    const owner = ranges.find(([start, end]) => slot >= start && slot <= end);
    assert.ok(owner, `slot ${slot} has a master`);
    return owner[2][1];
  } finally {
    redis.disconnect();
  }
}

/** A session whose keys are on another master than the node keys. */
async function awayFromNodeKeys(sessionId: string, cluster: RedisClusterHandle | undefined): Promise<boolean> {
  assert.ok(cluster);
  return (await masterOf(cluster, keys.members(sessionId))) !== (await masterOf(cluster, keys.nodes));
}

test('on Redis Cluster, two nodes, one session: presence both ways, signals in per-sender order exactly once, targeted across nodes', async (t) => {
  await acrossTwoNodes(await deploy(t, 2, undefined, { redisCluster: true, pickSession: awayFromNodeKeys }));
});

test('on Redis Cluster, a node killed mid-traffic: its client resumes elsewhere; everyone gets every acknowledged signal exactly once, in per-sender order', async (t) => {
  await nodeKilledMidTraffic(t, await deploy(t, 3, undefined, { redisCluster: true, pickSession: awayFromNodeKeys }));
});

test('on Redis Cluster, every master stopped and restarted empty: local members stay up, /readyz reports it, cross-node delivery recovers', async (t) => {
  await storeOutage(await deploy(t, 2, undefined, { redisCluster: true, pickSession: awayFromNodeKeys }));
});

test('on Redis Cluster, one master stopped: the cluster refuses every command, which /readyz reports, though the client links stay up; back when it returns', async (t) => {
  const d = await deploy(t, 2, undefined, { redisCluster: true, pickSession: awayFromNodeKeys });
  const [one, two] = d.nodes as [ClusterNode, ClusterNode];
  const alice = await d.join(one.url, 'alice');
  const bob = await d.join(two.url, 'bob');
  const cluster = d.redisCluster;
  assert.ok(cluster);
  // A master that holds neither the session's keys nor the node keys: only the cluster's refusal shows.
  const busy = new Set([await masterOf(cluster, keys.members(d.sessionId)), await masterOf(cluster, keys.nodes)]);
  const idle = cluster.nodes.findIndex((node) => !busy.has(node.port));
  assert.ok(idle >= 0);
  await cluster.halt(idle);
  await waitUntil(async () => (await fetch(`${one.url}/readyz`)).status === 503 && (await fetch(`${two.url}/readyz`)).status === 503, 'both nodes report the refusing cluster', 15_000);
  const local = nextEvent(bob, 'signal:local');
  await bob.signal({ type: 'local', data: 'own node', to: bob.connection! });
  assert.equal((await local).data, 'own node', 'a node keeps serving its own members');
  await cluster.start(idle);
  await waitUntil(async () => (await fetch(`${one.url}/readyz`)).status === 200 && (await fetch(`${two.url}/readyz`)).status === 200, 'both nodes ready again', 20_000);
  await untilSignalsCross(bob, alice);
  assert.equal(alice.connection?.connectionId !== undefined && bob.connections.some((c) => c.connectionId === alice.connection?.connectionId), true, 'alice is still there for bob');
});

test('on Redis Cluster with replicas, the master holding the session fails over to its replica: members stay, signals cross again, a joiner sees everyone', async (t) => {
  const d = await deploy(t, 2, undefined, { redisCluster: true, replicas: true, pickSession: awayFromNodeKeys });
  const [one, two] = d.nodes as [ClusterNode, ClusterNode];
  const cluster = d.redisCluster;
  assert.ok(cluster);
  const alice = await d.join(one.url, 'alice');
  const bob = await d.join(two.url, 'bob');
  const ids = [alice, bob].map((s) => s.connection?.connectionId);
  const destroyed: string[] = [];
  for (const s of [alice, bob]) {
    s.on('connectionDestroyed', ({ connection }) => destroyed.push(`${s.connection?.data}<-${connection.data}`));
  }
  const sessionMaster = await masterOf(cluster, keys.members(d.sessionId));
  const index = cluster.nodes.findIndex((node) => node.port === sessionMaster);
  assert.ok(index >= 0);
  await cluster.halt(index);
  await untilSignalsCross(bob, alice);
  await untilSignalsCross(alice, bob);
  assert.equal(await masterOf(cluster, keys.members(d.sessionId)), cluster.replicas[index]?.port, 'its replica serves the session now');
  await waitUntil(async () => (await fetch(`${one.url}/readyz`)).status === 200 && (await fetch(`${two.url}/readyz`)).status === 200, 'both nodes ready', 20_000);
  assert.deepEqual([alice, bob].map((s) => s.connection?.connectionId), ids, 'same connections');
  assert.deepEqual(destroyed, [], 'nobody was told anyone left');
  const carol = await d.join(two.url, 'carol');
  assert.deepEqual(carol.connections.map((c) => c.data).sort(), ['alice', 'bob', 'carol'], 'the promoted replica had the members');
  const left = nextEvent(alice, 'connectionDestroyed');
  bob.disconnect();
  assert.deepEqual([(await left).connection.data, (await left).reason], ['bob', 'clientDisconnected'], 'a departure after the failover crosses nodes');
});
