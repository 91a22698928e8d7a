import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomId } from '@vigil/protocol';
import { startClusterNode, startRedis, startRedisCluster } from '@vigil/test-kit';
import { deploy } from './cluster-harness.js';
import { acrossTwoNodes } from './cluster-scenarios.js';

// Managed Redis offerings want TLS and an ACL user. Here the servers accept nothing else (`default`
// is off, the TLS certificate is self-signed) and the nodes trust it through NODE_EXTRA_CA_CERTS.

test('on a Redis Cluster with TLS and an ACL user (rediss+cluster://user:password@…): two nodes share one session', async (t) => {
  const d = await deploy(t, 2, undefined, { redisCluster: true, secure: true });
  assert.match(d.redisUrl, /^rediss\+cluster:\/\/vigil:[0-9a-f]+@/);
  await acrossTwoNodes(d);
  for (const node of d.nodes) {
    assert.equal((await fetch(`${node.url}/readyz`)).status, 200);
    assert.doesNotMatch(node.log(), new RegExp(d.redisCluster?.secure?.password ?? 'no password'), 'the password is never logged');
  }
});

test('on a Redis Cluster whose certificate names hosts only, as managed ones do: nodes reach its servers by name', async (t) => {
  const d = await deploy(t, 2, undefined, { redisCluster: true, secure: 'hostnames' });
  assert.match(d.redisUrl, /^rediss\+cluster:\/\/vigil:[0-9a-f]+@localhost:\d+,/);
  await acrossTwoNodes(d);
});

test('on one redis-server with TLS and an ACL user (rediss://user:password@…): two nodes share one session', async (t) => {
  const d = await deploy(t, 2, undefined, { secure: true });
  assert.match(d.redisUrl, /^rediss:\/\/vigil:[0-9a-f]+@/);
  await acrossTwoNodes(d);
});

/** Starts `vigil serve` on `redisUrl`, which must fail; returns what the failure said (exit code and output). */
async function failedStart(redisUrl: string, env: Record<string, string>): Promise<string> {
  const started = await startClusterNode({ redisUrl, apiKey: '47100001', apiSecret: randomId(40), env }).then(
    (node) => node.kill().then(() => undefined),
    (err: Error) => err.message,
  );
  assert.ok(started !== undefined, 'the node must not start');
  return started;
}

test('a wrong password or an untrusted certificate: the node does not start, and says which, without the password', async (t) => {
  const [cluster, single] = await Promise.all([startRedisCluster({ secure: true }), startRedis({ secure: true })]);
  t.after(() => Promise.all([cluster.stop(), single.stop()]));
  for (const redis of [cluster, single]) {
    const secure = redis.secure;
    assert.ok(secure);
    const trusted = { NODE_EXTRA_CA_CERTS: secure.caFile };
    const wrong = await failedStart(redis.url.replace(`:${secure.password}@`, ':not-the-password@'), trusted);
    assert.match(wrong, /did not start \(exit 1\)/, wrong);
    assert.match(wrong, /vigil: Redis at rediss(\+cluster)?:\/\/\*\*\*@127\.0\.0\.1:\d+.* did not answer: WRONGPASS/, 'Redis\'s refusal, not "Connection is closed"');
    assert.doesNotMatch(wrong, /not-the-password/);
    const untrusted = await failedStart(redis.url, {});
    assert.match(untrusted, /did not start \(exit 1\)/, untrusted);
    assert.match(untrusted, /did not answer: self-signed certificate \(a private CA\? give its certificate to Node with NODE_EXTRA_CA_CERTS/);
    assert.doesNotMatch(untrusted, new RegExp(secure.password));
  }
});
