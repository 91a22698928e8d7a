import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { FaultProxy, nextEvent, recordEvents, startTestServer, waitUntil } from '@vigil/test-kit';

const fast = { baseDelayMs: 5, maxDelayMs: 50 };

async function setup(t: TestContext, timers = {}) {
  const h = await startTestServer(t, { timers: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 400, networkGraceMs: 3_000, suspendGraceMs: 3_000, ...timers } });
  const proxy = await FaultProxy.start(h.url);
  t.after(() => proxy.close());
  const sessionId = h.newSessionId();
  const mobile = h.session(sessionId, { url: proxy.url, reconnect: fast });
  await mobile.connect(h.token(sessionId));
  const peer = await h.join(sessionId);
  await waitUntil(() => mobile.connections.length === 2, 'mobile sees the peer');
  return { h, proxy, sessionId, mobile, peer };
}

test('a cut link resumes the same connection; signals both ways arrive once, in order; peers see no churn', async (t) => {
  const { proxy, mobile, peer } = await setup(t);
  const id = mobile.connection?.connectionId;
  const atMobile = recordEvents(mobile, 'signal');
  const atPeer = recordEvents(peer, 'signal');
  const peerChurn = [...recordEvents(peer, 'connectionDestroyed'), ...recordEvents(peer, 'connectionCreated')];
  const peerStates = recordEvents(peer, 'connectionStateChanged');

  proxy.cut('refuse');
  await nextEvent(mobile, 'sessionReconnecting');
  // While the mobile is away: the peer talks to it, and it queues its own signals.
  const queued = [1, 2, 3].map((i) => mobile.signal({ type: 'm', data: `m${i}` }));
  await waitUntil(() => peerStates.some((e) => e.state === 'reconnecting'), 'peer sees reconnecting');
  for (let i = 1; i <= 3; i += 1) {
    await peer.signal({ type: 'p', data: `p${i}`, to: id! });
  }
  proxy.setMode('pass');
  const back = await nextEvent(mobile, 'sessionReconnected', { timeoutMs: 5_000 });
  assert.equal(back.rejoined, false);
  assert.equal(mobile.connection?.connectionId, id, 'same connection id');
  await Promise.all(queued);
  await waitUntil(() => atMobile.filter((e) => e.type === 'p').length === 3 && atPeer.filter((e) => e.type === 'm').length === 3, 'all delivered');
  await peer.signal({ type: 'sync', data: '' });
  await waitUntil(() => atMobile.some((e) => e.type === 'sync'), 'sync');
  assert.deepEqual(atMobile.filter((e) => e.type === 'p').map((e) => e.data), ['p1', 'p2', 'p3']);
  assert.deepEqual(atPeer.filter((e) => e.type === 'm').map((e) => e.data), ['m1', 'm2', 'm3']);
  assert.equal(peerChurn.length, 0, 'no destroy/create at the peer');
  assert.deepEqual(peerStates.map((e) => e.state), ['reconnecting', 'active']);
});

test('a black-holed link is caught by the heartbeat, then resumed when traffic flows again', async (t) => {
  const { proxy, mobile, peer } = await setup(t);
  const id = mobile.connection?.connectionId;
  const peerSees = nextEvent(peer, 'connectionStateChanged', { where: (e) => e.state === 'reconnecting' });
  proxy.setMode('blackhole');
  await nextEvent(mobile, 'sessionReconnecting', { timeoutMs: 5_000 });
  await peerSees;
  proxy.cut('pass');
  await nextEvent(mobile, 'sessionReconnected', { timeoutMs: 5_000 });
  assert.equal(mobile.connection?.connectionId, id);
});

test('past the grace: peers see one connectionDestroyed; the client rejoins by itself with a new id', async (t) => {
  const { proxy, mobile, peer } = await setup(t, { networkGraceMs: 600 });
  const oldId = mobile.connection?.connectionId;
  const destroyed = recordEvents(peer, 'connectionDestroyed');
  proxy.cut('refuse');
  await nextEvent(mobile, 'sessionReconnecting');
  const gone = await nextEvent(peer, 'connectionDestroyed', { timeoutMs: 5_000 });
  assert.equal(gone.reason, 'networkDisconnected');
  assert.equal(gone.connection.connectionId, oldId);
  const pending = mobile.signal({ type: 'late', data: 'sent while away' });
  const created = nextEvent(peer, 'connectionCreated', { timeoutMs: 5_000 });
  const late = nextEvent(peer, 'signal:late', { timeoutMs: 5_000 });
  proxy.setMode('pass');
  const back = await nextEvent(mobile, 'sessionReconnected', { timeoutMs: 5_000 });
  assert.deepEqual(back, { rejoined: true, previousConnectionId: oldId });
  assert.notEqual(mobile.connection?.connectionId, oldId);
  assert.equal((await created).connection.connectionId, mobile.connection?.connectionId);
  await pending;
  assert.equal((await late).data, 'sent while away');
  assert.equal(destroyed.length, 1, 'exactly one destroy');
  assert.equal(mobile.connections.length, 2);
});

test('signals with retryAfterReconnect: false fail at once while reconnecting', async (t) => {
  const { proxy, mobile } = await setup(t);
  proxy.cut('refuse');
  await nextEvent(mobile, 'sessionReconnecting');
  await assert.rejects(mobile.signal({ data: 'now or never', retryAfterReconnect: false }), { code: 'NOT_CONNECTED' });
  proxy.setMode('pass');
  await nextEvent(mobile, 'sessionReconnected', { timeoutMs: 5_000 });
});

test('an expired token is replaced through tokenProvider when rejoining after the grace', async (t) => {
  const h = await startTestServer(t, { timers: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 400, networkGraceMs: 500 } });
  const proxy = await FaultProxy.start(h.url);
  t.after(() => proxy.close());
  const sessionId = h.newSessionId();
  let provided = 0;
  const mobile = h.session(sessionId, {
    url: proxy.url,
    reconnect: fast,
    tokenProvider: () => {
      provided += 1;
      return h.token(sessionId);
    },
  });
  await mobile.connect(h.token(sessionId, { expireTime: Math.floor(Date.now() / 1000) + 2 }));
  proxy.cut('refuse');
  await nextEvent(mobile, 'sessionReconnecting');
  await new Promise((r) => setTimeout(r, 2_600)); // past the grace and past the token's expiry
  proxy.setMode('pass');
  const back = await nextEvent(mobile, 'sessionReconnected', { timeoutMs: 5_000 });
  assert.equal(back.rejoined, true);
  assert.equal(provided, 1);
});

test('when the reconnect budget is used up the session ends with networkDisconnected', async (t) => {
  const h = await startTestServer(t, { timers: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 400, networkGraceMs: 10_000 } });
  const proxy = await FaultProxy.start(h.url);
  t.after(() => proxy.close());
  const sessionId = h.newSessionId();
  const mobile = h.session(sessionId, { url: proxy.url, reconnect: { baseDelayMs: 5, maxDelayMs: 20, budgetMs: 300 } });
  await mobile.connect(h.token(sessionId));
  const ended = nextEvent(mobile, 'sessionDisconnected', { timeoutMs: 5_000 });
  proxy.cut('refuse');
  assert.equal((await ended).reason, 'networkDisconnected');
  assert.equal(mobile.state, 'disconnected');
});
