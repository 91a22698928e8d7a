import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomId } from '@vigil/protocol';
import { mintProjectJwt } from '@vigil/server';
import { fcmTestToken, startRedis } from '@vigil/test-kit';
import { startPushHarness } from './push-harness.js';

// Nodes of a deployment share push registrations and held messages on the cluster's Redis by default.
test('push registrations are shared by the nodes: registered through one, listed and removed through the other', async (t) => {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const apiKey = String(47_300_000 + Math.floor(Math.random() * 99_999));
  const apiSecret = randomId(40);
  const one = await startPushHarness(t, { server: { apiKey, apiSecret, redis: redis.url } });
  const two = await startPushHarness(t, { server: { apiKey, apiSecret, redis: redis.url } });
  const call = async (url: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}/v2/project/${apiKey}/push/registrations${path}`, {
      method,
      headers: { 'x-opentok-auth': mintProjectJwt(apiKey, apiSecret), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>) };
  };
  const made = await call(one.h.url, 'POST', '', { identity: 'bob', kind: 'fcm', token: fcmTestToken() });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const listed = await call(two.h.url, 'GET', '?identity=bob');
  assert.deepEqual((listed.body['items'] as { id: string }[]).map((r) => r.id), [made.body['id']], 'the other node sees it');
  assert.equal((await call(two.h.url, 'DELETE', `/${String(made.body['id'])}`)).status, 204);
  assert.equal((await call(one.h.url, 'GET', '?identity=bob')).body['count'], 0, 'and sees it removed');
});
