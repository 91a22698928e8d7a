import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apnsTestToken, openRawSocketWith, waitUntil } from '@vigil/test-kit';
import { mintProjectJwt, systemClock } from '@vigil/server';
import { TOPIC, joinRaw, rest, settle, startPushHarness } from './push-harness.js';

async function register(h: Parameters<typeof rest>[0], identity: string, kind: string, token: string): Promise<string> {
  const res = await rest(h, 'POST', `/v2/project/${h.apiKey}/push/registrations`, { identity, kind, token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return String(res.body['id']);
}

test('an invite to an identity with no connection: exactly one VoIP push, to the PushKit token only, with APNs headers', async (t) => {
  const { h, apns } = await startPushHarness(t);
  const sessionId = h.newSessionId();
  const voip = apnsTestToken();
  const alert = apnsTestToken();
  await register(h, 'bob', 'apns-voip', voip.toUpperCase());
  await register(h, 'bob', 'apns', alert);
  const alice = await joinRaw(h, sessionId, 'name=Alice&identity=alice');

  const before = Date.now();
  const ack = await alice.request({ type: 'invite', inviteId: 'invite-0001', identity: 'bob', data: '{"caller":"Alice"}' });
  assert.equal(ack['type'], 'ack');
  const push = await apns.waitFor();
  await settle();
  assert.equal(apns.pushes.length, 1, 'one push per invite');
  assert.equal(apns.requests.length, 1, 'and no other request');
  assert.equal(push.token, voip, 'to the PushKit token (lower-cased)');
  assert.equal(push.pushType, 'voip');
  assert.equal(push.topic, `${TOPIC}.voip`);
  assert.equal(push.priority, '10');
  assert.equal(push.collapseId, 'invite-0001');
  const expiration = Number(push.expiration);
  assert.ok(expiration >= Math.floor(before / 1000) + 59 && expiration <= Math.ceil(Date.now() / 1000) + 60, `expiration ${expiration}`);
  const vigil = push.payload['vigil'] as Record<string, string>;
  assert.deepEqual(
    { type: vigil['type'], inviteId: vigil['inviteId'], sessionId: vigil['sessionId'], from: vigil['from'], fromIdentity: vigil['fromIdentity'], data: vigil['data'] },
    { type: 'invite', inviteId: 'invite-0001', sessionId, from: alice.id, fromIdentity: 'alice', data: '{"caller":"Alice"}' },
  );
  assert.equal(push.payload['aps'], undefined, 'a VoIP payload is the app’s own');
});

test('cancelling an invite never uses VoIP: an alert push with the invite’s collapse id, and the joining invitee gets only the cancellation', async (t) => {
  const { h, apns } = await startPushHarness(t);
  const sessionId = h.newSessionId();
  const voip = apnsTestToken();
  const alert = apnsTestToken();
  await register(h, 'bob', 'apns-voip', voip);
  await register(h, 'bob', 'apns', alert);
  const alice = await joinRaw(h, sessionId, 'identity=alice');
  await alice.request({ type: 'invite', inviteId: 'invite-0002', identity: 'bob' });
  await apns.waitFor((p) => p.pushType === 'voip');
  assert.equal((await alice.request({ type: 'cancelInvite', inviteId: 'invite-0002' }))['type'], 'ack');
  const cancel = await apns.waitFor((p) => p.token === alert);
  await settle();
  assert.deepEqual(apns.pushes.map((p) => p.pushType), ['voip', 'alert'], 'the cancellation is not a VoIP push');
  assert.equal(cancel.topic, TOPIC);
  assert.equal(cancel.collapseId, 'invite-0002');
  assert.equal((cancel.payload['vigil'] as Record<string, string>)['type'], 'inviteCancelled');
  assert.ok((cancel.payload['aps'] as Record<string, unknown>)['alert'], 'a visible alert');

  // Bob's app, woken by the VoIP push, joins: the held invite was replaced by its cancellation.
  const bob = await joinRaw(h, sessionId, 'identity=bob');
  await bob.raw.waitFor((m) => m['type'] === 'inviteCancelled');
  await settle(50);
  assert.deepEqual(
    bob.raw.messages.filter((m) => m['type'] === 'invite' || m['type'] === 'inviteCancelled').map((m) => [m['type'], m['inviteId']]),
    [['inviteCancelled', 'invite-0002']],
  );
  // A cancelled invite cannot be cancelled again.
  assert.equal((await alice.request({ type: 'cancelInvite', inviteId: 'invite-0002' }))['code'], 'INVITE_NOT_FOUND');
});

test('signals and invites to a live connection never push', async (t) => {
  const { h, apns } = await startPushHarness(t);
  const sessionId = h.newSessionId();
  await register(h, 'bob', 'apns', apnsTestToken());
  await register(h, 'bob', 'apns-voip', apnsTestToken());
  const bob = await joinRaw(h, sessionId, 'identity=bob');
  const alice = await joinRaw(h, sessionId, 'identity=alice');
  await alice.request({ type: 'signalIdentity', identity: 'bob', signalType: 'chat', data: 'to the identity' });
  await alice.request({ type: 'signal', to: bob.id, signalType: 'chat', data: 'to the connection' });
  await alice.request({ type: 'invite', inviteId: 'invite-live1', identity: 'bob', data: 'live' });
  await bob.raw.waitFor((m) => m['type'] === 'invite');
  const received = bob.raw.messages.filter((m) => m['type'] === 'signal').map((m) => m['data']);
  assert.deepEqual(received, ['to the identity', 'to the connection']);
  const signalled = await rest(h, 'POST', `/v2/project/${h.apiKey}/session/${sessionId}/identity/signal`, { identity: 'bob', data: 'from the app server' });
  assert.deepEqual(signalled.body, { live: 1, away: 0, held: false, pushed: 0 });
  await settle(300);
  assert.equal(apns.requests.length, 0, 'no push at all');
});

test('signals to a suspended identity: alert pushes sharing one collapse id; the resumed connection gets each signal once', async (t) => {
  const { h, apns } = await startPushHarness(t);
  const sessionId = h.newSessionId();
  const token = apnsTestToken();
  const bob = await joinRaw(h, sessionId, 'identity=bob');
  assert.equal((await bob.request({ type: 'registerPush', kind: 'apns', token }))['type'], 'ack');
  await bob.request({ type: 'lifecycle', state: 'background', reason: 'app' });
  const alice = await joinRaw(h, sessionId, 'identity=alice');
  const rx = bob.raw.messages.length - 1;
  bob.raw.socket.terminate();
  await alice.raw.waitFor((m) => m['type'] === 'connectionStateChanged' && m['state'] === 'suspended');

  await alice.request({ type: 'signalIdentity', identity: 'bob', signalType: 'chat', data: 'one' });
  await alice.request({ type: 'signal', to: bob.id, signalType: 'chat', data: 'two' });
  await alice.request({ type: 'signalIdentity', identity: 'bob', signalType: 'chat', data: 'three' });
  // The app server's OpenTok signal to the connection wakes it too.
  const viaRest = await rest(h, 'POST', `/v2/project/${h.apiKey}/session/${sessionId}/connection/${bob.id}/signal`, { type: 'chat', data: 'four' });
  assert.equal(viaRest.status, 204);
  await waitUntil(() => apns.pushes.length === 4, 'four pushes');
  assert.ok(apns.pushes.every((p) => p.pushType === 'alert' && p.priority === '10' && p.topic === TOPIC));
  assert.equal(new Set(apns.pushes.map((p) => p.collapseId)).size, 1, 'one collapse id for the identity');
  assert.match(apns.pushes[0]?.collapseId ?? '', /^[A-Za-z0-9_-]{1,32}$/);
  for (const push of apns.pushes) {
    const vigil = push.payload['vigil'] as Record<string, string>;
    assert.deepEqual([vigil['type'], vigil['sessionId'], vigil['signalType']], ['signal', sessionId, 'chat']);
    assert.ok(!JSON.stringify(push.payload).includes('three'), 'signal data never travels in a push');
  }

  const back = await openRawSocketWith(h.url, { sessionId, resume: bob.id, resumeToken: String(bob.raw.messages[0]?.['resumeToken']), rx: String(rx) });
  await back.waitFor((m) => m['type'] === 'signal' && m['data'] === 'four');
  await settle(50);
  assert.deepEqual(back.messages.filter((m) => m['type'] === 'signal').map((m) => m['data']), ['one', 'two', 'three', 'four']);
  assert.deepEqual(apns.pushes.map((p) => (p.payload['vigil'] as Record<string, string>)['from']), [alice.id, alice.id, alice.id, '']);
});

test('repeated signals within signalPushIntervalMs make one push', async (t) => {
  const { h, apns } = await startPushHarness(t, { push: { signalPushIntervalMs: 60_000 } });
  const sessionId = h.newSessionId();
  await register(h, 'bob', 'apns', apnsTestToken());
  for (let i = 0; i < 5; i += 1) {
    const res = await rest(h, 'POST', `/v2/project/${h.apiKey}/session/${sessionId}/identity/signal`, { identity: 'bob', type: 'chat', data: `m${i}` });
    assert.deepEqual(res.body, { live: 0, away: 0, held: true, pushed: i === 0 ? 1 : 0 });
  }
  await apns.waitFor();
  await settle();
  assert.equal(apns.requests.length, 1);
});

test('410 Unregistered and 400 BadDeviceToken remove the registration', async (t) => {
  const { h, apns } = await startPushHarness(t);
  const sessionId = h.newSessionId();
  const gone = apnsTestToken();
  const bad = apnsTestToken();
  const kept = apnsTestToken();
  await register(h, 'bob', 'apns', gone);
  await register(h, 'bob', 'apns', bad);
  await register(h, 'bob', 'apns', kept);
  apns.unregister(gone);
  apns.rejectToken(bad);
  await rest(h, 'POST', `/v2/project/${h.apiKey}/session/${sessionId}/identity/signal`, { identity: 'bob', data: 'hello' });
  await apns.waitForRequests(3);
  const list = async (): Promise<string[]> =>
    ((await rest(h, 'GET', `/v2/project/${h.apiKey}/push/registrations?identity=bob`)).body['items'] as { token: string }[]).map((r) => r.token);
  await waitUntil(async () => (await list()).length === 1, 'dead tokens removed');
  assert.deepEqual(await list(), [kept]);
  assert.deepEqual(
    apns.requests.map((r) => [r.token === gone ? 'gone' : r.token === bad ? 'bad' : 'kept', r.status, r.reason]).sort(),
    [['bad', 400, 'BadDeviceToken'], ['gone', 410, 'Unregistered'], ['kept', 200, undefined]],
  );
});

test('503 is retried with backoff until it succeeds; a 429 Retry-After is honoured; retries are bounded', async (t) => {
  const { h, apns } = await startPushHarness(t);
  const sessionId = h.newSessionId();
  const token = apnsTestToken();
  await register(h, 'bob', 'apns', token);
  const signal = (): Promise<unknown> => rest(h, 'POST', `/v2/project/${h.apiKey}/session/${sessionId}/identity/signal`, { identity: 'bob', data: 'x' });

  apns.failNext({ status: 503, reason: 'ServiceUnavailable' }, { status: 503, reason: 'ServiceUnavailable' });
  await signal();
  await apns.waitFor();
  assert.deepEqual(apns.requests.map((r) => r.status), [503, 503, 200]);

  apns.failNext({ status: 429, reason: 'TooManyRequests', retryAfter: 1 });
  await signal();
  await apns.waitForRequests(5, 5_000);
  assert.equal(apns.requests[3]?.status, 429);
  assert.equal(apns.requests[4]?.status, 200);
  const waited = (apns.requests[4]?.at ?? 0) - (apns.requests[3]?.at ?? 0);
  assert.ok(waited >= 950, `waited ${waited} ms for Retry-After: 1`);

  apns.failNext(...Array.from({ length: 4 }, () => ({ status: 500, reason: 'InternalServerError' })));
  await signal();
  await apns.waitForRequests(9, 5_000);
  await settle(300);
  assert.equal(apns.requests.length, 9, 'four attempts, then it gives up');
  assert.equal((await rest(h, 'GET', `/v2/project/${h.apiKey}/push/registrations?identity=bob`)).body['count'], 1, 'a server error does not remove the token');
});

test('the APNs provider token is reused, and replaced once it is 50 minutes old (APNs refuses it after 60)', async (t) => {
  let offsetMs = 0;
  const now = (): number => Date.now() + offsetMs;
  const { h, apns } = await startPushHarness(t, { now, server: { clock: { ...systemClock, now } } });
  const sessionId = h.newSessionId();
  await register(h, 'bob', 'apns', apnsTestToken());
  const signal = (): Promise<unknown> =>
    rest(h, 'POST', `/v2/project/${h.apiKey}/session/${sessionId}/identity/signal`, { identity: 'bob', data: 'x' }, mintProjectJwt(h.apiKey, h.apiSecret, Math.floor(now() / 1000)));
  for (const [i, minutes] of [0, 10, 49].entries()) {
    offsetMs = minutes * 60_000;
    await signal();
    await apns.waitForRequests(i + 1);
  }
  assert.equal(apns.providerTokens.length, 1, 'one token for 49 minutes');
  offsetMs = 51 * 60_000;
  await signal();
  await apns.waitForRequests(4);
  assert.equal(apns.providerTokens.length, 2, 'a fresh token after 50 minutes');
  assert.ok(apns.requests.every((r) => r.status === 200), 'never ExpiredProviderToken');
});

test('invite data that would overflow the VoIP payload limit is left out of the push (the app gets it on joining)', async (t) => {
  const { h, apns, fcm } = await startPushHarness(t);
  const sessionId = h.newSessionId();
  await register(h, 'bob', 'apns-voip', apnsTestToken());
  await rest(h, 'POST', `/v2/project/${h.apiKey}/push/registrations`, { identity: 'bob', kind: 'fcm', token: `${'f'.repeat(30)}:APA91b` });
  const data = '\u0001'.repeat(2048); // 2 KB, but 12 KB once JSON-escaped
  const invited = await rest(h, 'POST', `/v2/project/${h.apiKey}/session/${sessionId}/invite`, { identity: 'bob', data });
  assert.equal(invited.status, 200);
  const push = await apns.waitFor();
  assert.ok(push.bytes <= 5120);
  assert.equal((push.payload['vigil'] as Record<string, string>)['dataOmitted'], 'true');
  const message = await fcm.waitFor();
  assert.equal(message.data['dataOmitted'], 'true');
  const bob = await joinRaw(h, sessionId, 'identity=bob');
  const invite = await bob.raw.waitFor((m) => m['type'] === 'invite');
  assert.equal(invite['data'], data);
});
