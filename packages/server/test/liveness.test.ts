import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TIMERS } from '@vigil/protocol';
import { resolveTimers } from '@vigil/server';
import { ManualClock, openRawSocket, startTestServer } from '@vigil/test-kit';

async function pingAndWait(raw: Awaited<ReturnType<typeof openRawSocket>>): Promise<void> {
  const from = raw.messages.length;
  raw.send('{"type":"ping"}');
  await raw.waitFor((m) => m['type'] === 'pong', 5_000, from);
}

test('a silent connection is destroyed at heartbeatTimeoutMs exactly, with networkDisconnected', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startTestServer(t, { clock });
  const sessionId = h.newSessionId();
  const silent = await openRawSocket(h.url, sessionId, h.token(sessionId));
  await silent.waitFor((m) => m['type'] === 'welcome');
  const peer = await openRawSocket(h.url, sessionId, h.token(sessionId));
  const welcome = await peer.waitFor((m) => m['type'] === 'welcome');
  assert.deepEqual(welcome['timers'], DEFAULT_TIMERS);
  const timeout = DEFAULT_TIMERS.heartbeatTimeoutMs;

  clock.advance(timeout / 2);
  await pingAndWait(peer);
  clock.advance(timeout / 2 - 1);
  await pingAndWait(peer);
  assert.equal(h.server.connectionCount(), 2, 'still there at timeout - 1 ms');

  const from = peer.messages.length;
  clock.advance(1);
  const destroyed = await peer.waitFor((m) => m['type'] === 'connectionDestroyed', 5_000, from);
  assert.equal(destroyed['reason'], 'networkDisconnected');
  const closed = await silent.closed;
  assert.equal(closed.code, 4002);
  assert.ok(silent.messages.some((m) => m['type'] === 'disconnected' && m['reason'] === 'networkDisconnected'), JSON.stringify(silent.messages));

  // The peer, heard from at timeout/2 + (timeout/2 - 1), survives until its own silence reaches the timeout.
  clock.advance(timeout - 2);
  await pingAndWait(peer);
  assert.equal(h.server.connectionCount(), 1);
  clock.advance(timeout + 1);
  const peerClosed = await peer.closed;
  assert.equal(peerClosed.code, 4002);
  assert.equal(h.server.connectionCount(), 0);
});

test('timers are configurable, validated, and announced at connect', async (t) => {
  const timers = { heartbeatIntervalMs: 500, heartbeatTimeoutMs: 1500, networkGraceMs: 10_000, suspendGraceMs: 60_000 };
  const h = await startTestServer(t, { timers });
  const sessionId = h.newSessionId();
  const session = await h.join(sessionId);
  assert.deepEqual(session.timers, timers);
  const info = (await (await fetch(`${h.url}/v1/info`)).json()) as { timers: unknown };
  assert.deepEqual(info.timers, timers);
  assert.throws(() => resolveTimers({ heartbeatIntervalMs: 0 }), /heartbeatIntervalMs/);
  assert.throws(() => resolveTimers({ heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 6000 }), /twice/);
  assert.throws(() => resolveTimers({ suspendGraceMs: 600_001 }), /suspendGraceMs/);
});

test('the SDK heartbeat keeps a quiet client connected past the timeout (real clock)', async (t) => {
  const h = await startTestServer(t, { timers: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 400 } });
  const sessionId = h.newSessionId();
  const quiet = await h.join(sessionId);
  const silent = await openRawSocket(h.url, sessionId, h.token(sessionId));
  const closed = await silent.closed;
  assert.equal(closed.code, 4002);
  assert.equal(quiet.state, 'connected');
  assert.equal(quiet.connections.length, 1);
});
