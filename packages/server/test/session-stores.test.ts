import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, startRedisCluster, waitUntil, type RedisClusterHandle, type RedisHandle } from '@vigil/test-kit';
import { MemorySessionState } from '../src/cluster/memory-session-store.js';
import { RedisSessionStore } from '../src/cluster/redis-session-store.js';
import { sessionStoreContract, type OpenStores } from './session-store-contract.js';

// One contract for a deployment's session state (`session-store.ts`), three stores: memory (nodes in
// one process), one real redis-server, and a real Redis Cluster of three masters, where a script whose
// keys span hash slots would fail. Each case gets fresh stores (a fresh key prefix on Redis).

let server: RedisHandle;
let cluster: RedisClusterHandle;
let prefixes = 0;

before(async () => {
  [server, cluster] = await Promise.all([startRedis(), startRedisCluster()]);
});

after(async () => {
  await Promise.all([server?.stop(), cluster?.stop()]);
});

function onRedis(url: () => string): OpenStores {
  return async (t) => {
    prefixes += 1;
    const prefix = `t${prefixes}:`;
    const stores = [0, 1].map((i) => new RedisSessionStore({ url: url(), prefix, name: `contract-${i}`, logTtlMs: 60_000, logMaxLen: 1_000 }));
    t.after(() => Promise.all(stores.map((store) => store.close())));
    await Promise.all(stores.map((store) => store.connect()));
    const [a, b] = stores as [RedisSessionStore, RedisSessionStore];
    return { a, b };
  };
}

test('memory session store: the contract', async (t) => {
  await sessionStoreContract(t, async () => {
    const state = new MemorySessionState({ logMaxLen: 1_000 });
    return { a: state.connect(), b: state.connect() };
  });
});

test('redis session store on one redis-server: the contract', async (t) => {
  await sessionStoreContract(t, onRedis(() => server.url));
});

test('redis session store on Redis Cluster: the contract', async (t) => {
  await sessionStoreContract(t, onRedis(() => cluster.url));
});

test('redis session store with its server gone: every call rejects, and nothing else escapes (a node must not crash)', async (t) => {
  const gone = await startRedis();
  t.after(() => gone.stop());
  const store = new RedisSessionStore({ url: gone.url, name: 'gone', logTtlMs: 60_000 });
  const downs: string[] = [];
  store.onDown = (link) => downs.push(link);
  t.after(() => store.close());
  await store.connect();
  await gone.halt();
  await waitUntil(() => !store.healthy, 'the store notices');
  const escaped: unknown[] = [];
  const onEscape = (reason: unknown) => escaped.push(reason);
  process.on('unhandledRejection', onEscape);
  t.after(() => process.off('unhandledRejection', onEscape));
  const record = { node: 'A', info: { id: 'x', data: '', creationTime: 1, state: 'active' as const } };
  const calls: [string, () => Promise<unknown>][] = [
    ['appendFrame', () => store.appendFrame('s', 'f')],
    ['publish', () => store.publish('s', 'f')],
    ['addMember', () => store.addMember('s', record, 'f')],
    ['putMember', () => store.putMember('s', record)],
    ['writeMember', () => store.writeMember('s', 'x', 'A', record, 'f')],
    ['reassertMember', () => store.reassertMember('s', record)],
    ['claimMember', () => store.claimMember('s', 'D', record)],
    ['orphanMember', () => store.orphanMember('s', 'x', 'D', record, 1, 0, 'h', '{}')],
    ['endOrphan', () => store.endOrphan('s', 'x', 'D', 'r', 'h', '{}')],
    ['history', () => store.history('s', 'x')],
    ['members', () => store.members('s')],
    ['putStream', () => store.putStream('s', { node: 'A', info: { id: 'st', connectionId: 'x', name: '', hasAudio: true, hasVideo: true, videoType: 'camera', creationTime: 1 } } as never, 'f')],
    ['renewLease', () => store.renewLease('A', 1)],
    ['forgetNode', () => store.forgetNode('A', 1)],
    ['subscribers', () => store.subscribers('s')],
    ['replaceHome', () => store.replaceHome('s', undefined, 'h')],
  ];
  for (const [name, call] of calls) {
    await assert.rejects(call(), `${name} rejects`);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(escaped, [], 'no rejection went unhandled');
  assert.ok(downs.length > 0, 'the store reported the lost link');
});

test('redis session store: a link the Redis client gives up for good is connected again while the store is open', async (t) => {
  // ioredis ends a link for good in some races (a Sentinel failover announced while the link is already
  // reconnecting); here the client is ended by hand, which leaves it in the same state.
  const store = new RedisSessionStore({ url: server.url, prefix: 'revive:', name: 'revive', logTtlMs: 60_000 });
  t.after(() => store.close());
  const links: string[] = [];
  store.onDown = (link) => links.push(`down:${link}`);
  store.onUp = (link) => links.push(`up:${link}`);
  const heard: string[] = [];
  store.onMessage = (sessionId, frame) => heard.push(`${sessionId}:${frame}`);
  await store.connect();
  await store.subscribe('s1');
  store.client.disconnect();
  await waitUntil(() => store.client.status === 'end', 'the client ended the link');
  await waitUntil(() => store.healthy, 'the link is connected again', 10_000);
  assert.deepEqual(links.slice(-2), ['down:command', 'up:command'], 'the node hears the outage and its end');
  await store.publish('s1', 'after');
  await waitUntil(() => heard.includes('s1:after'), 'commands work again');
  // Closing the store does not bring it back.
  await store.close();
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.equal(store.client.status, 'end');
});
