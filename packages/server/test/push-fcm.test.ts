import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fcmTestToken, waitUntil } from '@vigil/test-kit';
import { mintProjectJwt, systemClock, type Clock } from '@vigil/server';
import { joinRaw, rest, settle, startPushHarness } from './push-harness.js';

function signalBob(h: Parameters<typeof rest>[0], sessionId: string, nowMs = Date.now()): Promise<{ status: number; body: Record<string, unknown> }> {
  const auth = mintProjectJwt(h.apiKey, h.apiSecret, Math.floor(nowMs / 1000));
  return rest(h, 'POST', `/v2/project/${h.apiKey}/session/${sessionId}/identity/signal`, { identity: 'bob', type: 'chat', data: 'x' }, auth);
}

async function registerFcm(h: Parameters<typeof rest>[0], identity = 'bob'): Promise<string> {
  const token = fcmTestToken();
  const res = await rest(h, 'POST', `/v2/project/${h.apiKey}/push/registrations`, { identity, kind: 'fcm', token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return token;
}

test('FCM: an invite is one high-priority data message; its cancellation shares the collapse key', async (t) => {
  const { h, fcm } = await startPushHarness(t);
  const sessionId = h.newSessionId();
  const token = await registerFcm(h);
  const alice = await joinRaw(h, sessionId, 'identity=alice');
  await alice.request({ type: 'invite', inviteId: 'invite-fcm-1', identity: 'bob', data: 'Alice', ttlMs: 30_000 });
  const invite = await fcm.waitFor();
  assert.equal(invite.token, token);
  assert.equal(invite.notification, undefined, 'a data message: the app rings itself');
  assert.equal(invite.android?.['priority'], 'high');
  assert.equal(invite.android?.['collapse_key'], 'invite-fcm-1');
  assert.match(String(invite.android?.['ttl']), /^(29|30)s$/);
  assert.deepEqual([invite.data['type'], invite.data['inviteId'], invite.data['data'], invite.data['fromIdentity'], invite.data['sessionId']], ['invite', 'invite-fcm-1', 'Alice', 'alice', sessionId]);
  await alice.request({ type: 'cancelInvite', inviteId: 'invite-fcm-1' });
  const cancel = await fcm.waitFor((m) => m.data['type'] === 'inviteCancelled');
  assert.equal(cancel.android?.['collapse_key'], 'invite-fcm-1');
  await settle();
  assert.equal(fcm.messages.length, 2);
});

test('FCM: signals are notifications (alert) or normal-priority data messages (background)', async (t) => {
  const alertHarness = await startPushHarness(t);
  const sessionId = alertHarness.h.newSessionId();
  await registerFcm(alertHarness.h);
  await signalBob(alertHarness.h, sessionId);
  const alert = await alertHarness.fcm.waitFor();
  assert.deepEqual(alert.notification, { title: 'New message', body: 'Open the app to see it.' });
  assert.equal(alert.android?.['priority'], 'high');
  assert.equal(alert.data['type'], 'signal');
  assert.equal(alert.data['data'], undefined, 'signal data never travels in a push');

  const quiet = await startPushHarness(t, { push: { signalPush: 'background', alerts: { signal: { title: 'x', body: 'y' } } } });
  await registerFcm(quiet.h);
  await signalBob(quiet.h, quiet.h.newSessionId());
  const background = await quiet.fcm.waitFor();
  assert.equal(background.notification, undefined);
  assert.equal(background.android?.['priority'], 'normal');
});

test('FCM: UNREGISTERED and INVALID_ARGUMENT on the token remove the registration; other errors do not', async (t) => {
  const { h, fcm } = await startPushHarness(t);
  const sessionId = h.newSessionId();
  const gone = await registerFcm(h);
  const invalid = await registerFcm(h);
  fcm.unregister(gone);
  fcm.rejectToken(invalid);
  await signalBob(h, sessionId);
  await fcm.waitForRequests(2);
  await waitUntil(async () => (await rest(h, 'GET', `/v2/project/${h.apiKey}/push/registrations?identity=bob`)).body['count'] === 0, 'both removed');
  assert.deepEqual(fcm.requests.map((r) => [r.status, r.errorCode]).sort(), [[400, 'INVALID_ARGUMENT'], [404, 'UNREGISTERED']]);

  const kept = await registerFcm(h, 'carol');
  fcm.failNext({ status: 400, errorCode: 'INVALID_ARGUMENT' }); // about the message, not the token
  await rest(h, 'POST', `/v2/project/${h.apiKey}/session/${sessionId}/identity/signal`, { identity: 'carol', data: 'x' });
  await fcm.waitForRequests(3);
  await settle();
  const carol = await rest(h, 'GET', `/v2/project/${h.apiKey}/push/registrations?identity=carol`);
  assert.deepEqual((carol.body['items'] as { token: string }[]).map((r) => r.token), [kept]);
});

test('FCM: 503 and 429 are retried (Retry-After honoured); a revoked access token is replaced once', async (t) => {
  const { h, fcm } = await startPushHarness(t);
  const sessionId = h.newSessionId();
  await registerFcm(h);
  fcm.failNext({ status: 503, errorCode: 'UNAVAILABLE' }, { status: 429, errorCode: 'QUOTA_EXCEEDED', retryAfter: 1 });
  await signalBob(h, sessionId);
  await fcm.waitFor();
  assert.deepEqual(fcm.requests.map((r) => r.status), [503, 429, 200]);
  const waited = (fcm.requests[2]?.at ?? 0) - (fcm.requests[1]?.at ?? 0);
  assert.ok(waited >= 950, `waited ${waited} ms for Retry-After: 1`);
  assert.equal(fcm.tokenExchanges, 1, 'one access token for all of them');

  fcm.revokeAccessTokens();
  await signalBob(h, sessionId);
  await fcm.waitFor((m) => m !== fcm.messages[0]);
  assert.deepEqual(fcm.requests.slice(3).map((r) => r.status), [401, 200]);
  assert.equal(fcm.tokenExchanges, 2);
});

test('FCM: the access token is cached and exchanged again before it expires', async (t) => {
  let offsetMs = 0;
  const now = (): number => Date.now() + offsetMs;
  const clock: Clock = { ...systemClock, now };
  const { h, fcm } = await startPushHarness(t, { now, server: { clock } });
  const sessionId = h.newSessionId();
  await registerFcm(h);
  const tokensUsed = (): string[] => [...new Set(fcm.messages.map((m) => m.accessToken))];
  await signalBob(h, sessionId);
  await fcm.waitForRequests(1);
  offsetMs = 50 * 60_000; // Google's token lives 3 599 s; still more than 5 minutes left
  await signalBob(h, sessionId, now());
  await fcm.waitForRequests(2);
  assert.equal(tokensUsed().length, 1);
  offsetMs = 56 * 60_000; // under 5 minutes left: exchanged before it can expire in flight
  await signalBob(h, sessionId, now());
  await fcm.waitForRequests(3);
  assert.equal(tokensUsed().length, 2);
  assert.equal(fcm.tokenExchanges, 2);
  assert.ok(fcm.requests.every((r) => r.status === 200));
});
