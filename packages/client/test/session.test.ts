import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initSession } from '@vigil/client';
import { nextEvent, startTestServer } from '@vigil/test-kit';

test('initSession checks its arguments', () => {
  assert.throws(() => initSession('1', ''), TypeError);
  assert.throws(() => initSession('1', 'x', { url: 'ftp://nope' }), /url must start/);
  assert.throws(() => initSession('1', 'x'), /pass \{ url \}/);
});

test('a throwing app listener does not break the SDK; it is reported as exception', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const session = h.session(sessionId);
  session.on('sessionConnected', () => {
    throw new Error('app bug');
  });
  const reported = nextEvent(session, 'exception');
  await session.connect(h.token(sessionId));
  const { error, event } = await reported;
  assert.equal(event, 'sessionConnected');
  assert.equal((error as Error).message, 'app bug');
  const echo = nextEvent(session, 'signal');
  await session.signal({ data: 'still fine' });
  assert.equal((await echo).data, 'still fine');
});

test('a half-dead link (open socket, nothing arriving) is noticed by the heartbeat and resumed', async (t) => {
  const h = await startTestServer(t, { timers: { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 200, networkGraceMs: 5_000 } });
  const sessionId = h.newSessionId();
  const session = h.session(sessionId, { reconnect: { baseDelayMs: 10, maxDelayMs: 50 } });
  await session.connect(h.token(sessionId));
  const id = session.connection?.connectionId;
  const { WebSocket } = await import('ws');
  const originalEmit = WebSocket.prototype.emit;
  t.after(() => {
    WebSocket.prototype.emit = originalEmit;
  });
  // Every server message is dropped before the SDK sees it; the socket itself stays open.
  WebSocket.prototype.emit = function (this: InstanceType<typeof WebSocket>, name: string | symbol, ...args: unknown[]) {
    return name === 'message' ? false : originalEmit.call(this, name, ...args);
  } as typeof originalEmit;
  await nextEvent(session, 'sessionReconnecting', { timeoutMs: 5_000 });
  assert.equal(session.state, 'reconnecting');
  WebSocket.prototype.emit = originalEmit;
  const back = await nextEvent(session, 'sessionReconnected', { timeoutMs: 5_000 });
  assert.equal(back.rejoined, false);
  assert.equal(session.connection?.connectionId, id);
});
