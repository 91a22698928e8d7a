import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redisOptionsFor } from '../src/cluster/redis-address.js';

// `--redis` / `VIGIL_REDIS_URL`: one server, or the master a Sentinel names.

test('redis URLs: one server as given, Sentinel URLs as ioredis options, anything else a clear error', () => {
  assert.deepEqual(redisOptionsFor('redis://10.0.0.5:6379/2'), { url: 'redis://10.0.0.5:6379/2' });
  assert.deepEqual(redisOptionsFor('rediss://user:pw@redis.example:6380'), { url: 'rediss://user:pw@redis.example:6380' });
  assert.deepEqual(redisOptionsFor('redis+sentinel://10.0.0.5:26379,10.0.0.6:26379/vigil'), {
    sentinel: { sentinels: [{ host: '10.0.0.5', port: 26379 }, { host: '10.0.0.6', port: 26379 }], name: 'vigil', failoverDetector: true },
  });
  assert.deepEqual(redisOptionsFor('redis+sentinel://s%40cret@[::1]:26379/main/3'), {
    sentinel: { sentinels: [{ host: '::1', port: 26379 }], name: 'main', failoverDetector: true, password: 's@cret', db: 3 },
  });
  for (const bad of ['http://x:1', 'redis+sentinel://x/vigil', 'redis+sentinel://x:1', 'redis+sentinel://x:99999/vigil', 'redis+sentinel://x:1,/vigil', 'redis+sentinel://[zz]:1/vigil', '']) {
    assert.throws(() => redisOptionsFor(bad), /expected redis:\/\/|is not host:port/, bad);
  }
});
