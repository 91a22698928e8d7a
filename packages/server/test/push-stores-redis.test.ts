import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { isVigilError } from '@vigil/protocol';
import { RedisHeldMessageStore, RedisPushRegistrationStore } from '@vigil/server';
import { startRedis, waitUntil, type RedisHandle } from '@vigil/test-kit';
import type { PushRegistration } from '../src/push/types.js';
import { heldBytesContract, heldStoreContract, registrationBoundsContract, registrationStoreContract } from './push-store-contract.js';

// The Redis push stores on a real redis-server (started on a free port, stopped by its PID in `after`):
// the same contract as the memory stores, two nodes sharing one Redis, and Redis going away.

let redis: RedisHandle;
const clients: Redis[] = [];

before(async () => {
  redis = await startRedis();
});

after(async () => {
  for (const client of clients) {
    client.disconnect();
  }
  await redis.stop();
});

/**
 * One "node"'s client. Redis being away must fail a store call within seconds, never leave it waiting:
 * - `enableOfflineQueue: false`: while disconnected a command is refused at once, not queued until
 *   Redis returns (the default queue would hold a take or a put for as long as Redis is down);
 * - `maxRetriesPerRequest: 1`: a command in flight when the link drops is retried once at most, not
 *   20 times across reconnect attempts;
 * - `commandTimeout`: a command sent to a Redis that stopped answering fails after 2 s;
 * - a short `retryStrategy`, so the client reconnects soon after Redis is back.
 */
async function connect(options: { keyPrefix?: string } = {}): Promise<Redis> {
  const client = new Redis(redis.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2_000,
    connectTimeout: 2_000,
    retryStrategy: () => 200,
    ...options,
  });
  // Failures reach the stores' callers as rejections; without a listener ioredis prints every reconnect attempt.
  client.on('error', () => {});
  clients.push(client);
  await client.connect();
  return client;
}

let prefixes = 0;
/** A fresh key prefix per test, so tests share one Redis without seeing each other's keys. */
function prefix(): string {
  prefixes += 1;
  return `test${prefixes}:`;
}

const reg = (id: string, identity: string, apiKey = 'k'): PushRegistration => ({ id, apiKey, identity, kind: 'fcm', token: id, createdAt: 0 });

test('RedisPushRegistrationStore: the store contract, its count bounds, and keys under its prefix', async () => {
  const client = await connect();
  const p = prefix();
  await registrationStoreContract(new RedisPushRegistrationStore(client, { prefix: p }));
  await registrationBoundsContract(new RedisPushRegistrationStore(client, { prefix: prefix(), maxPerIdentity: 2, maxTotal: 3 }));

  // In Redis `maxTotal` counts per API key (each project in one Cluster slot): another key evicts nothing.
  const perKey = new RedisPushRegistrationStore(client, { prefix: prefix(), maxTotal: 2 });
  for (const apiKey of ['k1', 'k2']) {
    for (const id of ['a', 'b']) {
      await perKey.put(reg(id, id, apiKey));
    }
  }
  await perKey.put(reg('c', 'c', 'k1'));
  assert.deepEqual(await perKey.list('k1', 'a'), [], 'the oldest of k1 went');
  assert.deepEqual((await perKey.list('k2', 'a')).map((r) => r.id), ['a'], 'k2 is untouched');

  const keys = await client.keys('*');
  assert.ok(keys.length > 0);
  assert.deepEqual(keys.filter((key) => !key.startsWith('test')), [], 'every key is under a prefix');
  const byDefault = new RedisPushRegistrationStore(client);
  await byDefault.put(reg('d', 'dan'));
  assert.ok((await client.keys('vigil:*')).length > 0, 'the default prefix is vigil:');
  assert.equal(await byDefault.remove('k', 'd'), true);
  assert.deepEqual(await client.keys('vigil:*'), [], 'nothing is left behind once removed');

  assert.throws(() => new RedisPushRegistrationStore(client, { prefix: 'a{b}:' }), TypeError);
  assert.throws(() => new RedisHeldMessageStore(client, { prefix: '}' }), TypeError);
});

test('RedisHeldMessageStore: the store contract, its byte cap, and Redis TTLs past the latest expiry', async () => {
  const client = await connect();
  let now = 0;
  await heldStoreContract(new RedisHeldMessageStore(client, { prefix: prefix(), now: () => now }), (ms) => (now += ms));
  let capped = 0;
  await heldBytesContract(new RedisHeldMessageStore(client, { prefix: prefix(), now: () => capped, maxBytesPerIdentity: 10 }), (ms) => (capped += ms));

  const p = prefix();
  const store = new RedisHeldMessageStore(client, { prefix: p, now: () => 1_000, ttlSlackMs: 5_000 });
  await store.hold('s', 'bob', { text: 'later', expiresAt: 31_000 });
  await store.hold('s', 'bob', { text: 'sooner', expiresAt: 11_000 });
  const [messagesKey] = await client.keys(`${p}held:*:messages`);
  assert.ok(messagesKey);
  const ttl = await client.pttl(messagesKey);
  assert.ok(ttl > 20_000 && ttl <= 35_000, `the TTL covers the latest expiry plus the slack (${ttl} ms)`);
  assert.equal((await store.take('s', 'bob')).messages.length, 2);
  assert.deepEqual(await client.keys(`${p}*`), [], 'take leaves nothing behind');

  // Many small messages in one box: the script rewrites the list in chunks (Lua's unpack is limited).
  const many = Array.from({ length: 1_200 }, (_, i) => `m${i}`);
  for (const text of many) {
    await store.hold('s', 'many', { text, expiresAt: 31_000 });
  }
  assert.deepEqual((await store.take('s', 'many')).messages.map((m) => m.text), many);

  // An ioredis keyPrefix is applied to every key the scripts touch, including the ones they derive.
  const prefixed = await connect({ keyPrefix: 'kp:' });
  await registrationStoreContract(new RedisPushRegistrationStore(prefixed));
  let later = 0;
  await heldStoreContract(new RedisHeldMessageStore(prefixed, { now: () => later }), (ms) => (later += ms));
  const written = await client.keys('kp:*');
  assert.ok(written.length > 0);
  assert.deepEqual(written.filter((key) => !key.startsWith('kp:vigil:')), []);
});

test('two nodes on one Redis see each other’s writes; a racing take delivers a held message once', async () => {
  const [one, two] = [await connect(), await connect()];
  const p = prefix();
  const registrations = [new RedisPushRegistrationStore(one, { prefix: p }), new RedisPushRegistrationStore(two, { prefix: p })] as const;
  const held = [new RedisHeldMessageStore(one, { prefix: p }), new RedisHeldMessageStore(two, { prefix: p })] as const;

  await registrations[0].put(reg('phone', 'alice'));
  assert.deepEqual((await registrations[1].list('k', 'alice')).map((r) => r.id), ['phone']);
  await registrations[1].put(reg('phone', 'bob')); // signed in as bob, on the other node
  assert.deepEqual(await registrations[0].list('k', 'alice'), []);
  assert.deepEqual((await registrations[0].list('k', 'bob')).map((r) => r.id), ['phone']);

  // The same device registered for two identities at once on two nodes ends under exactly one.
  for (let round = 0; round < 20; round += 1) {
    const device = `tablet-${round}`;
    await Promise.all([registrations[0].put(reg(device, 'carol')), registrations[1].put(reg(device, 'dave'))]);
    const owners = [];
    for (const identity of ['carol', 'dave']) {
      if ((await registrations[round % 2 === 0 ? 0 : 1].list('k', identity)).some((r) => r.id === device)) {
        owners.push(identity);
      }
    }
    assert.equal(owners.length, 1, `round ${round}: ${owners.join(', ')}`);
  }

  const expiresAt = Date.now() + 60_000;
  await held[0].hold('s', 'bob', { text: 'from node one', expiresAt });
  assert.deepEqual((await held[1].take('s', 'bob')).messages.map((m) => m.text), ['from node one']);
  for (let round = 0; round < 30; round += 1) {
    for (let i = 0; i < 3; i += 1) {
      await held[i % 2 === 0 ? 0 : 1].hold('s', 'erin', { text: `r${round}m${i}`, expiresAt });
    }
    const takes = await Promise.all([held[0].take('s', 'erin'), held[1].take('s', 'erin')]);
    const texts = takes.flatMap((t) => t.messages.map((m) => m.text));
    assert.deepEqual(texts, [`r${round}m0`, `r${round}m1`, `r${round}m2`], `round ${round}: every message exactly once`);
    assert.equal(takes.filter((t) => t.messages.length > 0).length, 1, `round ${round}: one take got them all`);
  }
});

test('Redis halted: every store call fails with STORE_UNAVAILABLE within seconds; after start it works again', async () => {
  const client = await connect();
  const p = prefix();
  const registrations = new RedisPushRegistrationStore(client, { prefix: p });
  const held = new RedisHeldMessageStore(client, { prefix: p });
  await registrations.put(reg('a', 'alice'));
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    await redis.halt();
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['put', () => registrations.put(reg('b', 'alice'))],
      ['list', () => registrations.list('k', 'alice')],
      ['remove', () => registrations.remove('k', 'a')],
      ['hold', () => held.hold('s', 'bob', { text: 'x', expiresAt: Date.now() + 60_000 })],
      ['take', () => held.take('s', 'bob')],
    ];
    for (const [name, call] of calls) {
      const started = Date.now();
      await assert.rejects(call(), (err: unknown) => {
        assert.ok(isVigilError(err), `${name}: ${String(err)}`);
        assert.equal(err.code, 'STORE_UNAVAILABLE');
        assert.equal(err.status, 503);
        assert.ok(err.cause instanceof Error, `${name}: the Redis error is kept as the cause`);
        return true;
      });
      assert.ok(Date.now() - started < 5_000, `${name} failed within seconds`);
    }

    await redis.start(); // a fresh, empty Redis on the same port (and an empty script cache)
    await waitUntil(() => client.status === 'ready', 'the client reconnected', 10_000);
    await registrations.put(reg('b', 'alice'));
    assert.deepEqual((await registrations.list('k', 'alice')).map((r) => r.id), ['b']);
    await held.hold('s', 'bob', { text: 'back', expiresAt: Date.now() + 60_000 });
    assert.deepEqual((await held.take('s', 'bob')).messages.map((m) => m.text), ['back']);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.deepEqual(unhandled, []);
});
