import { after, before, test } from 'node:test';
import { startRedis, startRedisCluster, type RedisClusterHandle, type RedisHandle } from '@vigil/test-kit';
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
