import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '@vigil/test-kit';
import { joinRaw, rest, settle, startPushHarness } from './push-harness.js';

test('Web Push: VAPID-signed, aes128gcm-encrypted messages the browser can decrypt, with TTL, Urgency and Topic', async (t) => {
  const { h, webpush } = await startPushHarness(t);
  const sessionId = h.newSessionId();
  const subscription = webpush.subscribe();
  // A browser client registers its own subscription (PushSubscription.toJSON()).
  const bob = await joinRaw(h, sessionId, 'identity=bob');
  assert.equal((await bob.request({ type: 'registerPush', kind: 'webpush', subscription: { ...subscription.json, expirationTime: null } }))['type'], 'ack');
  const alice = await joinRaw(h, sessionId, 'identity=alice');
  bob.raw.socket.terminate();
  await alice.raw.waitFor((m) => m['type'] === 'connectionStateChanged' && m['state'] === 'reconnecting');

  await alice.request({ type: 'signalIdentity', identity: 'bob', signalType: 'chat', data: 'secret text' });
  const signal = await webpush.waitFor();
  assert.deepEqual(signal.payload, { type: 'signal', sessionId, signalType: 'chat', from: alice.id, title: 'New message', body: 'Open the app to see it.' });
  assert.equal(signal.urgency, 'normal');
  assert.match(signal.topic ?? '', /^[A-Za-z0-9_-]{1,32}$/);
  assert.ok(signal.ttl > 500 && signal.ttl <= 600, `ttl ${signal.ttl}`);

  await alice.request({ type: 'invite', inviteId: 'invite-web-1', identity: 'bob', data: 'x'.repeat(2048) });
  const invite = await webpush.waitFor((m) => m.payload['type'] === 'invite');
  assert.equal(invite.urgency, 'high');
  assert.equal(invite.topic, 'invite-web-1');
  assert.equal(invite.payload['data'], 'x'.repeat(2048));
  assert.ok(invite.bytes <= 4096);
});

test('Web Push: 404 and 410 remove the subscription; 503 is retried', async (t) => {
  const { h, webpush } = await startPushHarness(t);
  const sessionId = h.newSessionId();
  const gone = webpush.subscribe();
  const ok = webpush.subscribe();
  for (const subscription of [gone, ok]) {
    const res = await rest(h, 'POST', `/v2/project/${h.apiKey}/push/registrations`, { identity: 'bob', kind: 'webpush', subscription: subscription.json });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body['endpoint'], subscription.json.endpoint);
    assert.equal(res.body['keys'], undefined, 'keys are never listed');
  }
  webpush.unsubscribe(gone.id);
  webpush.failNext({ status: 503 });
  await rest(h, 'POST', `/v2/project/${h.apiKey}/session/${sessionId}/identity/signal`, { identity: 'bob', data: 'x' });
  await webpush.waitFor((m) => m.subscriptionId === ok.id);
  await waitUntil(async () => (await rest(h, 'GET', `/v2/project/${h.apiKey}/push/registrations?identity=bob`)).body['count'] === 1, 'gone removed');
  await settle();
  const statuses = webpush.requests.map((r) => `${r.subscriptionId === gone.id ? 'gone' : 'ok'}:${r.status}`).sort();
  // The scripted 503 hits whichever request came first; the retry of that one then succeeds or 410s.
  assert.ok(statuses.includes('gone:410') && statuses.includes('ok:201') && statuses.some((s) => s.endsWith(':503')), statuses.join(' '));
  assert.equal(webpush.requests.length, 3);
});

test('Web Push: subscriptions must point at an allowed push service', async (t) => {
  const { h } = await startPushHarness(t);
  const evil = { endpoint: 'http://169.254.169.254/latest/meta-data', keys: { p256dh: 'BAAA', auth: 'AAAA' } };
  const res = await rest(h, 'POST', `/v2/project/${h.apiKey}/push/registrations`, { identity: 'bob', kind: 'webpush', subscription: evil });
  assert.equal(res.status, 400);
  assert.equal(res.body['code'], 'PUSH_REGISTRATION_INVALID');
});
