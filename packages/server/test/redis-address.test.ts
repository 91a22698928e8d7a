import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactRedisUrl, redisOptionsFor } from '../src/cluster/redis-address.js';

// `--redis` / `VIGIL_REDIS_URL`: one server, the master a Sentinel names, or a Redis Cluster.

test('redis URLs: one server as given, Sentinel URLs as ioredis options, anything else a clear error', () => {
  assert.deepEqual(redisOptionsFor('redis://10.0.0.5:6379/2'), { url: 'redis://10.0.0.5:6379/2' });
  assert.deepEqual(redisOptionsFor('rediss://user:pw@redis.example:6380'), { url: 'rediss://user:pw@redis.example:6380' });
  assert.deepEqual(redisOptionsFor('redis+sentinel://10.0.0.5:26379,10.0.0.6:26379/vigil'), {
    sentinel: { sentinels: [{ host: '10.0.0.5', port: 26379 }, { host: '10.0.0.6', port: 26379 }], name: 'vigil', failoverDetector: true },
  });
  assert.deepEqual(redisOptionsFor('redis+sentinel://s%40cret@[::1]:26379/main/3'), {
    sentinel: { sentinels: [{ host: '::1', port: 26379 }], name: 'main', failoverDetector: true, password: 's@cret', db: 3 },
  });
  assert.deepEqual(redisOptionsFor('redis+sentinel://master-pw@h:26379/main?sentinelPassword=s%26p'), {
    sentinel: { sentinels: [{ host: 'h', port: 26379 }], name: 'main', failoverDetector: true, password: 'master-pw', sentinelPassword: 's&p' },
  });
  for (const bad of ['http://x:1', 'redis+sentinel://x:1/vigil?other=1', 'redis+sentinel://x/vigil', 'redis+sentinel://x:1', 'redis+sentinel://x:99999/vigil', 'redis+sentinel://x:1,/vigil', 'redis+sentinel://[zz]:1/vigil', '']) {
    assert.throws(() => redisOptionsFor(bad), /expected redis:\/\/|is not host:port/, bad);
  }
});

test('redis+cluster URLs: start nodes (IPv6 in brackets), an ACL user and password, TLS, as ioredis Cluster options; bad ones a clear error', () => {
  assert.deepEqual(redisOptionsFor('redis+cluster://10.0.0.5:7000,10.0.0.6:7001,redis-c.example:7002'), {
    cluster: { nodes: [{ host: '10.0.0.5', port: 7000 }, { host: '10.0.0.6', port: 7001 }, { host: 'redis-c.example', port: 7002 }] },
  });
  assert.deepEqual(redisOptionsFor('redis+cluster://s%40cret@[::1]:7000,[fd00::2]:7001'), {
    cluster: { nodes: [{ host: '::1', port: 7000 }, { host: 'fd00::2', port: 7001 }], password: 's@cret' },
  });
  assert.deepEqual(redisOptionsFor('redis+cluster://127.0.0.1:1'), { cluster: { nodes: [{ host: '127.0.0.1', port: 1 }] } });
  // An ACL user, TLS, and a colon or at sign written as in any URL.
  assert.deepEqual(redisOptionsFor('rediss+cluster://app:p%3Aw%40d@h:7000'), { cluster: { nodes: [{ host: 'h', port: 7000 }], username: 'app', password: 'p:w@d', tls: true } });
  assert.deepEqual(redisOptionsFor('redis+cluster://:only-pw@h:7000'), { cluster: { nodes: [{ host: 'h', port: 7000 }], password: 'only-pw' } });
  assert.deepEqual(redisOptionsFor('rediss+cluster://h:7000'), { cluster: { nodes: [{ host: 'h', port: 7000 }], tls: true } });
  const bad = [
    'redis+cluster://',
    'redis+cluster://x',
    'redis+cluster://x:0',
    'redis+cluster://x:65536',
    'redis+cluster://x:1,',
    'redis+cluster://x:1,,y:2',
    'redis+cluster://[zz]:1',
    'redis+cluster://::1:7000',
    'redis+cluster://x:1/0',
    'redis+cluster://x:1/vigil',
    'redis+cluster://a@b@x:1',
    'redis+clusters://x:1',
    'redisss+cluster://x:1',
    'rediss+cluster://x',
  ];
  for (const url of bad) {
    assert.throws(() => redisOptionsFor(url), /expected redis:\/\/.*redis\+cluster:\/\/|rediss?\+cluster: ".*" is not host:port/, url);
  }
  assert.throws(() => redisOptionsFor('nope'), /redis\+sentinel:\/\/host:port\[,host:port\]\/master-name or redis\+cluster:\/\/host:port\[,host:port\]/, 'the error lists every accepted form');
});

test('redis URLs as logs show them: no password, neither the master\'s nor the Sentinels\'', () => {
  assert.equal(redactRedisUrl('redis://user:pw@h:6379/0'), 'redis://***@h:6379/0');
  assert.equal(redactRedisUrl('redis+sentinel://master-pw@h:26379/main?sentinelPassword=s%26p'), 'redis+sentinel://***@h:26379/main?sentinelPassword=***');
  assert.equal(redactRedisUrl('redis+cluster://h:7000,h:7001'), 'redis+cluster://h:7000,h:7001');
  assert.equal(redactRedisUrl('rediss+cluster://app:pw@h:7000,h:7001'), 'rediss+cluster://***@h:7000,h:7001');
  // Passwords that were not percent-encoded as they should be are hidden all the same.
  assert.equal(redactRedisUrl('rediss+cluster://app:pa/ss@h:7000'), 'rediss+cluster://***@h:7000');
  assert.equal(redactRedisUrl('redis://app:p@ss@h:6379/0'), 'redis://***@h:6379/0');
  assert.equal(redactRedisUrl('redis+sentinel://m/p@h:1/main?sentinelPassword=a@b'), 'redis+sentinel://***@h:1/main?sentinelPassword=***');
  assert.equal(redactRedisUrl('redis://h:6379'), 'redis://h:6379');
});

test('redis URLs with a password that is not percent-encoded: a clear error, never the password', () => {
  assert.throws(() => redisOptionsFor('rediss+cluster://app:100%@h:7000'), /^Error: the password is not percent-encoded \(encode it with encodeURIComponent: a % becomes %25\)$/);
  assert.throws(() => redisOptionsFor('redis+sentinel://100%@h:1/main'), /the password is not percent-encoded/);
  assert.throws(() => redisOptionsFor('redis+sentinel://h:1/main?sentinelPassword=%zz'), /the sentinelPassword is not percent-encoded/);
  for (const url of ['rediss+cluster://app:pa/ss@h:7000', 'redis+cluster://app:p@ss@h:7000']) {
    assert.throws(() => redisOptionsFor(url), (err: Error) => !err.message.includes('ss@') && !err.message.includes('pa/'), url);
  }
});
