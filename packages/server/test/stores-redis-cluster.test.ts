import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, Redis } from 'ioredis';
import { RedisHeldMessageStore, RedisPushRegistrationStore } from '@vigil/server';
import { startRedisCluster, type RedisClusterHandle } from '@vigil/test-kit';
import { redisOptionsFor } from '../src/cluster/redis-address.js';
import { RedisDepartedStore } from '../src/cluster/redis-departed-store.js';
import { departedStoreContract } from './departed-store-contract.js';
import { heldBytesContract, heldStoreContract, registrationBoundsContract, registrationStoreContract } from './push-store-contract.js';

// The shared stores on a real Redis Cluster of three masters (started on free ports, stopped by their
// PIDs in `after`): the same contracts as on one redis-server, through an ioredis `Cluster` client. On
// a Cluster a script whose keys span hash slots fails (CROSSSLOT), and keys of different slots live on
// different servers; the last test shows the stores' keys really do spread over several masters.

let redis: RedisClusterHandle;
const clients: Array<Cluster | Redis> = [];

before(async () => {
  redis = await startRedisCluster();
});

after(async () => {
  for (const client of clients) {
    client.disconnect();
  }
  await redis?.stop();
});

/**
 * One "node"'s Cluster client, from the harness's `redis+cluster://` URL as `--redis` would give it,
 * failing fast like the single-server clients (`push-stores-redis.test.ts`): no offline queue, one
 * retry, 2 s timeouts.
 */
async function connectCluster(): Promise<Cluster> {
  const address = redisOptionsFor(redis.url);
  assert.ok('cluster' in address, redis.url);
  const client = new Cluster(address.cluster.nodes, {
    lazyConnect: true,
    enableOfflineQueue: false,
    clusterRetryStrategy: () => 200,
    slotsRefreshTimeout: 2_000,
    redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 2_000, connectTimeout: 2_000 },
  });
  client.on('error', () => {});
  clients.push(client);
  await client.connect();
  return client;
}

/** A plain client of one master, to see what that server itself holds. */
async function connectNode(port: number): Promise<Redis> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
  clients.push(client);
  await client.connect();
  return client;
}

test('push registration store on Redis Cluster: the store contract and its count bounds', async () => {
  const client = await connectCluster();
  await registrationStoreContract(new RedisPushRegistrationStore(client, { prefix: 'reg:' }));
  await registrationBoundsContract(new RedisPushRegistrationStore(client, { prefix: 'bounds:', maxPerIdentity: 2, maxTotal: 3 }));
});

test('held message store on Redis Cluster: the store contract and its byte cap', async () => {
  const client = await connectCluster();
  let now = 0;
  await heldStoreContract(new RedisHeldMessageStore(client, { prefix: 'held:', now: () => now }), (ms) => (now += ms));
  let capped = 0;
  await heldBytesContract(new RedisHeldMessageStore(client, { prefix: 'bytes:', now: () => capped, maxBytesPerIdentity: 10 }), (ms) => (capped += ms));
});

test('departed-connection store on Redis Cluster: the contract with two nodes, each with its own Cluster client', async () => {
  const [one, two] = [await connectCluster(), await connectCluster()];
  await departedStoreContract(new RedisDepartedStore(one, { prefix: 'departed:' }), new RedisDepartedStore(two, { prefix: 'departed:' }));
});

test('the stores’ keys spread over every master (so these tests cannot pass on a single server)', async () => {
  assert.equal(redis.nodes.length, 3);
  const client = await connectCluster();
  const spread = 'spread:';
  const departed = new RedisDepartedStore(client, { prefix: spread });
  const registrations = new RedisPushRegistrationStore(client, { prefix: spread });
  const held = new RedisHeldMessageStore(client, { prefix: spread });
  const ids = Array.from({ length: 12 }, (_, i) => `n${i}`);
  for (const id of ids) {
    await departed.remember(id, { sessionId: 's', resumeToken: id, lastRequestId: 1 });
    await registrations.put({ id, apiKey: `key-${id}`, identity: 'alice', kind: 'fcm', token: id, createdAt: 0 });
    await held.hold(`session-${id}`, 'bob', { text: id, expiresAt: Date.now() + 60_000 });
  }
  const perNode = await Promise.all(redis.nodes.map(async (node) => (await connectNode(node.port)).keys(`${spread}*`)));
  const counts = perNode.map((keys) => keys.length);
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    ids.length * (1 + 3 + 2),
    `every key is on exactly one master (${counts.join(', ')})`,
  );
  assert.ok(
    counts.every((count) => count > 0),
    `each master holds some of the keys (${counts.join(', ')})`,
  );
  for (const store of ['departed', 'push', 'held']) {
    const holders = perNode.filter((keys) => keys.some((key) => key.startsWith(`${spread}${store}:`))).length;
    assert.ok(holders > 1, `the ${store} store's keys are on ${holders} master(s)`);
  }
  // And what was written through one master's slots reads back through the Cluster client.
  for (const id of ids) {
    assert.equal(await departed.claim(id, 's', id), 1);
    assert.deepEqual((await registrations.list(`key-${id}`, 'alice')).map((r) => r.id), [id]);
    assert.deepEqual((await held.take(`session-${id}`, 'bob')).messages.map((m) => m.text), [id]);
  }
});
