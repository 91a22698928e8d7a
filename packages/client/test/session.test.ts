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

test('the client notices a server that stopped answering and reports networkDisconnected', async (t) => {
  const h = await startTestServer(t, { timers: { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 200 } });
  const sessionId = h.newSessionId();
  const session = await h.join(sessionId);
  // The socket stays open but nothing from the server gets through (a half-dead link): the SDK must
  // notice through its own heartbeat, not through a close event.
  const gone = nextEvent(session, 'sessionDisconnected', { timeoutMs: 5_000 });
  // Freeze inbound traffic: every server message after this point is dropped before the SDK sees it.
  const { WebSocket } = await import('ws');
  const originalEmit = WebSocket.prototype.emit;
  t.after(() => {
    WebSocket.prototype.emit = originalEmit;
  });
  WebSocket.prototype.emit = function (this: InstanceType<typeof WebSocket>, name: string | symbol, ...args: unknown[]) {
    return name === 'message' ? false : originalEmit.call(this, name, ...args);
  } as typeof originalEmit;
  assert.equal((await gone).reason, 'networkDisconnected');
  assert.equal(session.state, 'disconnected');
});
