import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultProxy, apnsTestToken, nextEvent, recordEvents, waitUntil } from '@vigil/test-kit';
import { TOPIC, joinRaw, rest, settle, startPushHarness } from './push-harness.js';

const fastTimers = { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 400, networkGraceMs: 3_000, suspendGraceMs: 600 };

test('end to end: suspended past the grace, signalled, woken by an APNs push, rejoins by itself and gets the signal exactly once', async (t) => {
  const { h, apns } = await startPushHarness(t, { server: { timers: fastTimers } });
  const proxy = await FaultProxy.start(h.url);
  t.after(() => proxy.close());
  const sessionId = h.newSessionId();
  const deviceToken = apnsTestToken();

  // The phone: an SDK client through a proxy whose link the test can cut. Its token names no
  // identity; it takes one by registering its push token.
  const phone = h.session(sessionId, { url: proxy.url, reconnect: { baseDelayMs: 5, maxDelayMs: 50 }, lifecycle: false });
  await phone.connect(h.token(sessionId, { data: 'name=Bob' }));
  await phone.registerPush({ identity: 'bob', kind: 'apns', token: deviceToken });
  const peer = await h.join(sessionId, { data: 'name=Alice' });
  const firstId = phone.connection?.connectionId;
  const atPhone = recordEvents(phone, 'signal');

  // The app goes to the background, then the OS suspends it: the server hears nothing more.
  const announced = nextEvent(peer, 'connectionStateChanged', { where: (e) => e.state === 'background' });
  phone.announce('background', 'app');
  await announced;
  const destroyed = nextEvent(peer, 'connectionDestroyed', { timeoutMs: 5_000 });
  proxy.cut('refuse');
  assert.equal((await destroyed).reason, 'suspended', 'past suspendGraceMs');

  // Someone signals bob: nobody with that identity is in the session, so the signal is held and
  // bob's phone gets a push.
  await peer.signalIdentity('bob', { type: 'call', data: 'pick up' });
  const push = await apns.waitFor();
  assert.equal(push.token, deviceToken);
  assert.deepEqual([push.pushType, push.topic, push.priority], ['alert', TOPIC, '10']);
  const vigil = push.payload['vigil'] as Record<string, string>;
  assert.deepEqual([vigil['type'], vigil['sessionId'], vigil['signalType']], ['signal', sessionId, 'call']);

  // The push wakes the app: the network is back, and the SDK rejoins on its own.
  const back = nextEvent(phone, 'sessionReconnected', { timeoutMs: 10_000 });
  proxy.setMode('pass');
  assert.deepEqual(await back, { rejoined: true, previousConnectionId: firstId });
  await waitUntil(() => atPhone.some((e) => e.type === 'call'), 'the held signal arrives', 5_000);
  await peer.signalIdentity('bob', { type: 'sync', data: '' });
  await waitUntil(() => atPhone.some((e) => e.type === 'sync'), 'a later signal arrives live');
  assert.deepEqual(atPhone.filter((e) => e.type === 'call').map((e) => e.data), ['pick up'], 'exactly once');
  await settle();
  assert.equal(apns.pushes.length, 1, 'the live signal did not push');
});

test('held signals and invites reach an identity when it joins; cancelling then goes over its live connection', async (t) => {
  const { h, apns } = await startPushHarness(t);
  const sessionId = h.newSessionId();
  await rest(h, 'POST', `/v2/project/${h.apiKey}/push/registrations`, { identity: 'bob', kind: 'apns-voip', token: apnsTestToken() });
  await rest(h, 'POST', `/v2/project/${h.apiKey}/push/registrations`, { identity: 'bob', kind: 'apns', token: apnsTestToken() });
  const alice = await h.join(sessionId, { data: 'identity=alice' });
  await alice.signalIdentity('bob', { type: 'chat', data: 'one' });
  await alice.signalIdentity('bob', { type: 'chat', data: 'two' });
  const inviteId = await alice.invite('bob', 'Alice is calling', { ttlMs: 30_000 });
  await waitUntil(() => apns.pushes.length === 3, 'an alert per signal and one VoIP push for the invite');
  assert.deepEqual(apns.pushes.map((p) => p.pushType).sort(), ['alert', 'alert', 'voip']);

  // bob's app joins with a token naming him: what was held arrives at once, in order.
  const bob = h.session(sessionId);
  const signals = recordEvents(bob, 'signal');
  const invites = recordEvents(bob, 'invite');
  const cancelled = recordEvents(bob, 'inviteCancelled');
  await bob.connect(h.token(sessionId, { data: 'name=Bob&identity=bob' }));
  await waitUntil(() => invites.length === 1, 'the held invite');
  assert.deepEqual(signals.map((e) => e.data), ['one', 'two']);
  const invite = invites[0];
  assert.equal(invite?.inviteId, inviteId);
  assert.equal(invite?.data, 'Alice is calling');
  assert.equal(invite?.fromIdentity, 'alice');
  assert.equal(invite?.from?.connectionId, alice.connection?.connectionId);
  assert.ok((invite?.expiresAt ?? 0) > Date.now());

  await alice.cancelInvite(inviteId);
  await waitUntil(() => cancelled.length === 1, 'the cancellation, live');
  assert.deepEqual(cancelled[0], { inviteId, sessionId });
  await settle();
  assert.equal(apns.pushes.length, 3, 'no push for a live invitee');
  await assert.rejects(alice.cancelInvite(inviteId), { code: 'INVITE_NOT_FOUND' });
});

test('signals that waited for a suspended connection are held for the identity when its grace runs out', async (t) => {
  const { h } = await startPushHarness(t, { server: { timers: fastTimers } });
  const sessionId = h.newSessionId();
  await rest(h, 'POST', `/v2/project/${h.apiKey}/push/registrations`, { identity: 'bob', kind: 'apns', token: apnsTestToken() });
  const bob = await joinRaw(h, sessionId, 'identity=bob', 100);
  await bob.request({ type: 'lifecycle', state: 'background', reason: 'app' });
  const alice = await joinRaw(h, sessionId, 'identity=alice', 100);
  bob.raw.socket.terminate();
  await alice.raw.waitFor((m) => m['type'] === 'connectionStateChanged' && m['state'] === 'suspended');
  await alice.request({ type: 'signalIdentity', identity: 'bob', signalType: 'chat', data: 'while suspended 1' });
  await alice.request({ type: 'signal', to: bob.id, signalType: 'chat', data: 'while suspended 2' });
  await alice.raw.waitFor((m) => m['type'] === 'connectionDestroyed' && m['reason'] === 'suspended');
  const again = await joinRaw(h, sessionId, 'identity=bob', 100);
  await again.raw.waitFor((m) => m['data'] === 'while suspended 2');
  await settle(50);
  assert.deepEqual(again.raw.messages.filter((m) => m['type'] === 'signal').map((m) => m['data']), ['while suspended 1', 'while suspended 2']);
});

test('identities: the token’s identity wins; a client cannot claim another; requireTokenIdentity refuses unnamed tokens', async (t) => {
  const { h } = await startPushHarness(t);
  const sessionId = h.newSessionId();
  const bob = await h.join(sessionId, { data: 'identity=bob' });
  await assert.rejects(bob.registerPush({ identity: 'mallory', kind: 'apns', token: apnsTestToken() }), { code: 'IDENTITY_MISMATCH' });
  await bob.registerPush({ kind: 'apns', token: apnsTestToken() }); // the token's identity
  const listed = await rest(h, 'GET', `/v2/project/${h.apiKey}/push/registrations?identity=bob`);
  assert.equal(listed.body['count'], 1);
  const anonymous = await h.join(sessionId);
  await assert.rejects(anonymous.registerPush({ kind: 'apns', token: apnsTestToken() }), { code: 'IDENTITY_REQUIRED' });
  await assert.rejects(anonymous.registerPush({ kind: 'telegram' as never, token: 'x' }), TypeError);
  await assert.rejects(anonymous.signalIdentity('nobody-here', { data: 'x' }), { code: 'IDENTITY_NOT_FOUND' });

  const strict = await startPushHarness(t, { push: { requireTokenIdentity: true } });
  const strictSession = strict.h.newSessionId();
  const unnamed = await strict.h.join(strictSession);
  await assert.rejects(unnamed.registerPush({ identity: 'bob', kind: 'apns', token: apnsTestToken() }), { code: 'IDENTITY_MISMATCH' });
  const named = await strict.h.join(strictSession, { data: 'identity=bob' });
  await named.registerPush({ identity: 'bob', kind: 'apns', token: apnsTestToken() });
});
