import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TIMERS } from '@vigil/protocol';
import { resolveTimers } from '@vigil/server';
import { ManualClock, openRawSocket, startTestServer, type RawSocket } from '@vigil/test-kit';

async function pingAndWait(raw: RawSocket): Promise<void> {
  const from = raw.messages.length;
  raw.send('{"type":"ping"}');
  await raw.waitFor((m) => m['type'] === 'pong', 5_000, from);
}

/** Lets the event loop deliver what the server just wrote (timers fired synchronously by the clock). */
async function settle(raw: RawSocket): Promise<void> {
  await pingAndWait(raw);
}

async function setup(t: Parameters<typeof startTestServer>[0]) {
  const clock = new ManualClock(Date.now());
  const h = await startTestServer(t, { clock });
  const sessionId = h.newSessionId();
  const quiet = await openRawSocket(h.url, sessionId, h.token(sessionId));
  const welcome = await quiet.waitFor((m) => m['type'] === 'welcome');
  const peer = await openRawSocket(h.url, sessionId, h.token(sessionId));
  await peer.waitFor((m) => m['type'] === 'welcome');
  const quietId = (welcome['connection'] as { id: string }).id;
  /** Advances the clock while the peer keeps talking, so only `quiet` is silent. */
  const advance = async (ms: number): Promise<void> => {
    let left = ms;
    while (left > 0) {
      const step = Math.min(left, 1_000);
      clock.advance(step);
      left -= step;
      await pingAndWait(peer);
    }
  };
  return { clock, h, sessionId, quiet, peer, quietId, welcome, advance };
}

const { heartbeatTimeoutMs, networkGraceMs, suspendGraceMs } = DEFAULT_TIMERS;

test('unannounced silence: reconnecting at heartbeatTimeoutMs, destroyed (networkDisconnected) at networkGraceMs', async (t) => {
  const { h, quiet, peer, quietId, welcome, advance } = await setup(t);
  assert.deepEqual(welcome['timers'], DEFAULT_TIMERS);

  await advance(heartbeatTimeoutMs - 1);
  assert.equal(peer.messages.filter((m) => m['type'] === 'connectionStateChanged').length, 0, 'nothing at timeout - 1 ms');
  let from = peer.messages.length;
  await advance(1);
  const changed = await peer.waitFor((m) => m['type'] === 'connectionStateChanged', 5_000, from);
  assert.deepEqual([changed['connectionId'], changed['state']], [quietId, 'reconnecting']);
  assert.equal((await quiet.closed).code, 4002, 'the zombie socket is closed');
  assert.equal(h.server.connectionCount(), 2, 'kept during the grace');

  await advance(networkGraceMs - heartbeatTimeoutMs - 1);
  assert.ok(!peer.messages.some((m) => m['type'] === 'connectionDestroyed'), 'still kept at grace - 1 ms');
  from = peer.messages.length;
  await advance(1);
  const destroyed = await peer.waitFor((m) => m['type'] === 'connectionDestroyed', 5_000, from);
  assert.deepEqual([destroyed['connectionId'], destroyed['reason']], [quietId, 'networkDisconnected']);
  await advance(1);
  assert.equal(peer.messages.filter((m) => m['type'] === 'connectionDestroyed').length, 1, 'exactly one destroy');
  assert.equal(h.server.connectionCount(), 1);
});

test('silence after announcing background: suspended at the timeout, destroyed (suspended) at suspendGraceMs', async (t) => {
  const { quiet, peer, quietId, advance } = await setup(t);
  quiet.send('{"type":"lifecycle","id":1,"state":"background","reason":"appState"}');
  const announced = await peer.waitFor((m) => m['type'] === 'connectionStateChanged');
  assert.deepEqual([announced['state'], announced['reason']], ['background', 'appState']);
  await settle(quiet);

  let from = peer.messages.length;
  await advance(heartbeatTimeoutMs);
  const suspended = await peer.waitFor((m) => m['type'] === 'connectionStateChanged', 5_000, from);
  assert.deepEqual([suspended['connectionId'], suspended['state']], [quietId, 'suspended']);

  await advance(suspendGraceMs - heartbeatTimeoutMs - 1);
  assert.ok(!peer.messages.some((m) => m['type'] === 'connectionDestroyed'), 'kept at suspendGraceMs - 1 ms');
  from = peer.messages.length;
  await advance(1);
  const destroyed = await peer.waitFor((m) => m['type'] === 'connectionDestroyed', 5_000, from);
  assert.equal(destroyed['reason'], 'suspended');
});

test('a closed socket (not a leave) starts the grace too; a clean leave does not', async (t) => {
  const { clock, h, sessionId, quiet, peer, quietId, advance } = await setup(t);
  quiet.socket.terminate();
  const changed = await peer.waitFor((m) => m['type'] === 'connectionStateChanged');
  assert.deepEqual([changed['connectionId'], changed['state'], changed['reason']], [quietId, 'reconnecting', 'socketClosed']);
  const leaver = await openRawSocket(h.url, sessionId, h.token(sessionId));
  await leaver.waitFor((m) => m['type'] === 'welcome');
  const from = peer.messages.length;
  leaver.send('{"type":"disconnect"}');
  const left = await peer.waitFor((m) => m['type'] === 'connectionDestroyed', 5_000, from);
  assert.equal(left['reason'], 'clientDisconnected');
  await advance(networkGraceMs);
  void clock;
  assert.equal(peer.messages.filter((m) => m['type'] === 'connectionDestroyed').length, 2);
});

test('timers are configurable, validated, and announced at connect and over REST', async (t) => {
  const timers = { heartbeatIntervalMs: 500, heartbeatTimeoutMs: 1500, networkGraceMs: 10_000, suspendGraceMs: 60_000 };
  const h = await startTestServer(t, { timers });
  const session = await h.join(h.newSessionId());
  assert.deepEqual(session.timers, timers);
  const info = (await (await fetch(`${h.url}/v1/info`)).json()) as { timers: unknown };
  assert.deepEqual(info.timers, timers);
  assert.throws(() => resolveTimers({ heartbeatIntervalMs: 0 }), /heartbeatIntervalMs/);
  assert.throws(() => resolveTimers({ heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 6000 }), /twice/);
  assert.throws(() => resolveTimers({ networkGraceMs: 1000 }), /at least heartbeatTimeoutMs/);
  assert.throws(() => resolveTimers({ suspendGraceMs: 600_001 }), /suspendGraceMs/);
});

test('the SDK heartbeat keeps a quiet client active past the timeout (real clock)', async (t) => {
  const h = await startTestServer(t, { timers: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 400, networkGraceMs: 400 } });
  const sessionId = h.newSessionId();
  const quiet = await h.join(sessionId);
  const seen: string[] = [];
  quiet.on('connectionDestroyed', ({ reason }) => seen.push(reason));
  const silent = await openRawSocket(h.url, sessionId, h.token(sessionId));
  assert.equal((await silent.closed).code, 4002);
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(quiet.state, 'connected');
  assert.deepEqual(seen, ['networkDisconnected']);
  assert.equal(quiet.connections.length, 1);
});
