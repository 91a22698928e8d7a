import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextEvent, openRawSocket, startTestServer } from '@vigil/test-kit';

test('each kind of bad frame gets a {code, message} error and the connection carries on', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const bystander = await h.join(sessionId);
  const raw = await openRawSocket(h.url, sessionId, h.token(sessionId));
  await raw.waitFor((m) => m['type'] === 'welcome');
  const cases: [string | Buffer, string, boolean?][] = [
    ['{oops', 'MESSAGE_MALFORMED'],
    ['42', 'MESSAGE_INVALID'],
    ['{"type":"teleport","id":9}', 'MESSAGE_UNKNOWN_TYPE'],
    ['{"type":"signal","id":10}', 'MESSAGE_INVALID'],
    ['{"type":"signal","id":11,"data":"x","admin":true}', 'MESSAGE_INVALID'],
    ['{"type":"signal","id":12,"data":"x","to":"ghost"}', 'CONNECTION_NOT_FOUND'],
    ['{"type":"forceDisconnect","id":13,"connectionId":"ghost"}', 'NOT_PERMITTED'],
    [Buffer.from([1, 2, 3]), 'MESSAGE_BINARY', true],
  ];
  for (const [frame, code, binary] of cases) {
    const from = raw.messages.length;
    raw.send(frame, binary ?? false);
    const error = await raw.waitFor((m) => m['type'] === 'error', 5_000, from);
    assert.equal(error['code'], code, String(frame));
    assert.equal(typeof error['message'], 'string');
    assert.deepEqual(Object.keys(error).filter((k) => !['type', 'id', 'code', 'message'].includes(k)), []);
  }
  // Still a member in good standing: its signal reaches the bystander.
  const got = nextEvent(bystander, 'signal:ok');
  raw.send('{"type":"signal","id":99,"signalType":"ok","data":"still here"}');
  assert.equal((await got).data, 'still here');
  assert.equal(bystander.connections.length, 2);
});

test('an oversize frame closes that socket (1009); peers see forceDisconnected, others unaffected', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const bystander = await h.join(sessionId);
  const raw = await openRawSocket(h.url, sessionId, h.token(sessionId));
  await raw.waitFor((m) => m['type'] === 'welcome');
  const gone = nextEvent(bystander, 'connectionDestroyed');
  raw.send(JSON.stringify({ type: 'signal', id: 1, data: 'x'.repeat(170_000) }));
  assert.equal((await raw.closed).code, 1009);
  assert.equal((await gone).reason, 'forceDisconnected');
  const echo = nextEvent(bystander, 'signal');
  await bystander.signal({ data: 'fine' });
  assert.equal((await echo).data, 'fine');
});

test('a flood is rate limited with RATE_LIMITED; the flooder and others keep working', async (t) => {
  const h = await startTestServer(t, { rateLimit: { burst: 20, perSecond: 10 } });
  const sessionId = h.newSessionId();
  const bystander = await h.join(sessionId);
  const raw = await openRawSocket(h.url, sessionId, h.token(sessionId));
  await raw.waitFor((m) => m['type'] === 'welcome');
  for (let i = 1; i <= 200; i += 1) {
    raw.send(JSON.stringify({ type: 'signal', id: i, signalType: 'flood', data: String(i) }));
  }
  await raw.waitFor((m) => m['id'] === 200);
  const replies = raw.messages.filter((m) => m['type'] === 'ack' || m['type'] === 'error');
  assert.equal(replies.length, 200, 'exactly one reply per request');
  const limited = replies.filter((m) => m['code'] === 'RATE_LIMITED').length;
  assert.ok(limited >= 150, `most of the flood refused (${limited})`);
  assert.ok(replies.filter((m) => m['type'] === 'ack').length >= 20);
  // Heartbeats are never rate limited: the flooder is not mistaken for a dead client.
  const from = raw.messages.length;
  raw.send('{"type":"ping"}');
  await raw.waitFor((m) => m['type'] === 'pong', 5_000, from);
  const echo = nextEvent(bystander, 'signal:calm');
  await bystander.signal({ type: 'calm', data: '' });
  await echo;
});
