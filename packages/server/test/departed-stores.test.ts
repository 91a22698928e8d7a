import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startRedis } from '@vigil/test-kit';
import { RedisDepartedStore } from '../src/cluster/redis-departed-store.js';
import { MemoryDepartedStore } from '../src/departed-connections.js';
import { departedStoreContract } from './departed-store-contract.js';

// Both departed-connection stores pass one contract; each is bounded its own way.

test('memory departed store: the contract, and the oldest entries go past its bound', async () => {
  const store = new MemoryDepartedStore();
  await departedStoreContract(store, store);
  const small = new MemoryDepartedStore(2);
  for (const id of ['a', 'b', 'c']) {
    await small.remember(id, { sessionId: 's', resumeToken: id, lastRequestId: 1 });
  }
  assert.equal(await small.claim('a', 's', 'a'), undefined, 'the oldest went');
  assert.equal(await small.claim('c', 's', 'c'), 1);
});

test('redis departed store: the contract with two nodes on one redis-server, a token hash only, entries that expire', async (t) => {
  const server = await startRedis();
  t.after(() => server.stop());
  const clients = [0, 1, 2].map(() => new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 }));
  t.after(() => clients.forEach((c) => c.disconnect()));
  await Promise.all(clients.map((c) => c.connect()));
  const [one, two, probe] = clients as [Redis, Redis, Redis];
  await departedStoreContract(new RedisDepartedStore(one, { prefix: 't:' }), new RedisDepartedStore(two, { prefix: 't:' }));

  const short = new RedisDepartedStore(one, { prefix: 'u:', ttlMs: 300 });
  await short.remember('c', { sessionId: 's', resumeToken: 'secret-token', lastRequestId: 3 });
  const stored = (await probe.get('u:departed:c')) ?? '';
  assert.ok(stored.includes('tokenHash') && !stored.includes('secret-token'), 'the resume token itself is not stored');
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(await short.claim('c', 's', 'secret-token'), undefined, 'expired');
});
