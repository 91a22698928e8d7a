import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apnsTestToken, fcmTestToken, waitUntil } from '@vigil/test-kit';
import { createSessionId } from '@vigil/protocol';
import { joinRaw, rest, startPushHarness } from './push-harness.js';

test('REST registrations: add, list, move to another identity, remove one, remove all', async (t) => {
  const { h, webpush } = await startPushHarness(t);
  const path = `/v2/project/${h.apiKey}/push/registrations`;
  const voip = apnsTestToken();
  const fcm = fcmTestToken();
  const a = await rest(h, 'POST', path, { identity: 'bob', kind: 'apns-voip', token: voip, topic: 'com.example.other' });
  assert.equal(a.status, 200);
  assert.deepEqual({ ...a.body, id: undefined, createdAt: undefined }, { id: undefined, createdAt: undefined, identity: 'bob', kind: 'apns-voip', token: voip, topic: 'com.example.other' });
  assert.match(String(a.body['id']), /^pr_[A-Za-z0-9_-]{24}$/);
  const b = await rest(h, 'POST', path, { identity: 'bob', kind: 'fcm', token: fcm });
  await rest(h, 'POST', path, { identity: 'bob', kind: 'webpush', subscription: webpush.subscribe().json });
  const again = await rest(h, 'POST', path, { identity: 'bob', kind: 'apns-voip', token: voip.toUpperCase() });
  assert.equal(again.body['id'], a.body['id'], 'the same device token is the same registration');
  let list = await rest(h, 'GET', `${path}?identity=bob`);
  assert.equal(list.body['count'], 3);
  assert.deepEqual((list.body['items'] as { kind: string }[]).map((r) => r.kind), ['fcm', 'webpush', 'apns-voip']);

  // Another user signs in on the device: its token moves to them.
  await rest(h, 'POST', path, { identity: 'carol', kind: 'fcm', token: fcm });
  assert.equal((await rest(h, 'GET', `${path}?identity=bob`)).body['count'], 2);
  assert.equal((await rest(h, 'GET', `${path}?identity=carol`)).body['count'], 1);

  assert.equal((await rest(h, 'DELETE', `${path}/${String(b.body['id'])}`)).status, 204);
  const missing = await rest(h, 'DELETE', `${path}/${String(b.body['id'])}`);
  assert.deepEqual([missing.status, missing.body['code']], [404, 'PUSH_REGISTRATION_NOT_FOUND']);
  assert.equal((await rest(h, 'DELETE', `${path}?identity=bob`)).status, 204);
  list = await rest(h, 'GET', `${path}?identity=bob`);
  assert.deepEqual(list.body, { count: 0, items: [] });
});

test('REST push routes refuse bad credentials, foreign sessions and malformed input with stable codes', async (t) => {
  const { h } = await startPushHarness(t);
  const path = `/v2/project/${h.apiKey}/push/registrations`;
  const anonymous = await fetch(`${h.url}${path}?identity=bob`);
  assert.equal(anonymous.status, 403);
  assert.equal(((await anonymous.json()) as { code: string }).code, 'AUTH_FAILED');
  const otherKey = await rest(h, 'GET', `/v2/project/47999999/push/registrations?identity=bob`);
  assert.deepEqual([otherKey.status, otherKey.body['code']], [403, 'AUTH_FAILED']);
  const foreign = createSessionId({ apiKey: '47999999' });
  const wrongSession = await rest(h, 'POST', `/v2/project/${h.apiKey}/session/${foreign}/invite`, { identity: 'bob' });
  assert.deepEqual([wrongSession.status, wrongSession.body['code']], [400, 'SESSION_ID_INVALID']);

  const cases: [unknown, number, string][] = [
    [{ identity: 'bob', kind: 'carrier-pigeon', token: 'x' }, 400, 'REQUEST_INVALID'],
    [{ identity: 'bob', kind: 'apns', token: 'not-hex' }, 400, 'PUSH_REGISTRATION_INVALID'],
    [{ identity: 'bob', kind: 'apns', token: 'ab'.repeat(16) }, 400, 'PUSH_REGISTRATION_INVALID'],
    [{ identity: 'bob', kind: 'fcm' }, 400, 'PUSH_REGISTRATION_INVALID'],
    [{ identity: 'bob', kind: 'webpush', token: 'x' }, 400, 'PUSH_REGISTRATION_INVALID'],
    [{ identity: 'bob', kind: 'apns', token: apnsTestToken(), topic: 'com.example.app.voip' }, 400, 'PUSH_REGISTRATION_INVALID'],
    [{ identity: 'has space', kind: 'fcm', token: fcmTestToken() }, 400, 'REQUEST_INVALID'],
    [{ kind: 'fcm', token: fcmTestToken() }, 400, 'REQUEST_INVALID'],
  ];
  for (const [body, status, code] of cases) {
    const res = await rest(h, 'POST', path, body);
    assert.deepEqual([res.status, res.body['code']], [status, code], JSON.stringify(body));
  }
  assert.equal((await rest(h, 'GET', path)).body['code'], 'REQUEST_INVALID', 'the identity query is required');
});

test('REST invites and identity signals: delivery report, IDENTITY_NOT_FOUND, limits, cancel', async (t) => {
  const { h, apns } = await startPushHarness(t);
  const sessionId = h.newSessionId();
  const base = `/v2/project/${h.apiKey}/session/${sessionId}`;
  const nobody = await rest(h, 'POST', `${base}/invite`, { identity: 'nobody' });
  assert.deepEqual([nobody.status, nobody.body['code']], [404, 'IDENTITY_NOT_FOUND']);
  const unknownSignal = await rest(h, 'POST', `${base}/identity/signal`, { identity: 'nobody', data: 'x' });
  assert.deepEqual([unknownSignal.status, unknownSignal.body['code']], [404, 'IDENTITY_NOT_FOUND']);

  await rest(h, 'POST', `/v2/project/${h.apiKey}/push/registrations`, { identity: 'bob', kind: 'apns-voip', token: apnsTestToken() });
  const tooLong = await rest(h, 'POST', `${base}/invite`, { identity: 'bob', data: 'é'.repeat(1025) });
  assert.deepEqual([tooLong.status, tooLong.body['code']], [413, 'INVITE_DATA_TOO_LONG']);
  const shortTtl = await rest(h, 'POST', `${base}/invite`, { identity: 'bob', ttlMs: 10 });
  assert.deepEqual([shortTtl.status, shortTtl.body['code']], [400, 'REQUEST_INVALID']);
  const bigSignal = await rest(h, 'POST', `${base}/identity/signal`, { identity: 'bob', data: 'x'.repeat(8193) });
  assert.deepEqual([bigSignal.status, bigSignal.body['code']], [413, 'SIGNAL_DATA_TOO_LONG']);

  const before = Date.now();
  const invited = await rest(h, 'POST', `${base}/invite`, { identity: 'bob', data: 'From the app server', ttlMs: 20_000 });
  assert.equal(invited.status, 200);
  assert.deepEqual({ ...invited.body, id: undefined, expiresAt: undefined }, { id: undefined, expiresAt: undefined, sessionId, identity: 'bob', live: 0, away: 0, held: true, pushed: 1 });
  assert.ok(Number(invited.body['expiresAt']) >= before + 20_000);
  const push = await apns.waitFor();
  assert.equal(push.pushType, 'voip');
  assert.equal((push.payload['vigil'] as Record<string, string>)['from'], '', 'from the app server');

  assert.equal((await rest(h, 'DELETE', `${base}/invite/${String(invited.body['id'])}`)).status, 204);
  const twice = await rest(h, 'DELETE', `${base}/invite/${String(invited.body['id'])}`);
  assert.deepEqual([twice.status, twice.body['code']], [404, 'INVITE_NOT_FOUND']);
  // bob has no APNs alert token: the cancellation cannot be pushed (never by VoIP); it waits for his join.
  const bob = await joinRaw(h, sessionId, 'identity=bob');
  await bob.raw.waitFor((m) => m['type'] === 'inviteCancelled' && m['inviteId'] === invited.body['id']);
  await waitUntil(() => apns.requests.length === 1, 'still one push');
  assert.equal(apns.pushes.length, 1);
});
