import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextEvent, recordEvents, startTestServer, waitUntil } from '@vigil/test-kit';

test('a broadcast reaches everyone, sender included, with the sender id and the type', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const [a, b, c] = await Promise.all([h.join(sessionId), h.join(sessionId), h.join(sessionId)]);
  const got = [a, b, c].map((s) => nextEvent(s, 'signal:chat'));
  await b.signal({ type: 'chat', data: 'hello' });
  for (const event of await Promise.all(got)) {
    assert.equal(event.data, 'hello');
    assert.equal(event.type, 'chat');
    assert.equal(event.from?.connectionId, b.connection?.connectionId);
  }
});

test('a targeted signal reaches only its recipient', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const [a, b, c] = await Promise.all([h.join(sessionId), h.join(sessionId), h.join(sessionId)]);
  const seenByA = recordEvents(a, 'signal');
  const seenByC = recordEvents(c, 'signal');
  const toB = nextEvent(b, 'signal');
  await a.signal({ type: 'dm', data: 'psst', to: b.connection! });
  assert.equal((await toB).data, 'psst');
  // A broadcast afterwards proves the targeted one, sent earlier, was not on its way to A or C.
  const marker = [a, c].map((s) => nextEvent(s, 'signal:marker'));
  await b.signal({ type: 'marker', data: '' });
  await Promise.all(marker);
  assert.deepEqual(seenByA.map((e) => e.type), ['marker']);
  assert.deepEqual(seenByC.map((e) => e.type), ['marker']);
});

test('1 000 rapid signals arrive complete and in per-sender order', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const [a, b, receiver] = await Promise.all([h.join(sessionId), h.join(sessionId), h.join(sessionId)]);
  const seen = recordEvents(receiver, 'signal');
  const sends: Promise<void>[] = [];
  for (let i = 0; i < 1000; i += 1) {
    sends.push(a.signal({ type: 'seq', data: `a:${i}` }));
    if (i % 3 === 0) {
      sends.push(b.signal({ type: 'seq', data: `b:${i}` }));
    }
  }
  await Promise.all(sends);
  await waitUntil(() => seen.length === sends.length, `all ${sends.length} signals delivered`, 15_000);
  for (const sender of ['a', 'b']) {
    const numbers = seen.filter((e) => e.data.startsWith(`${sender}:`)).map((e) => Number(e.data.slice(2)));
    assert.deepEqual(numbers, [...numbers].sort((x, y) => x - y), `order of ${sender}`);
  }
  assert.equal(seen.filter((e) => e.data.startsWith('a:')).length, 1000);
});

test("OpenTok's limits: type <= 128 bytes, data <= 8 KB, counted in UTF-8 bytes", async (t) => {
  const h = await startTestServer(t);
  const session = await h.join(h.newSessionId());
  await session.signal({ type: 'x'.repeat(128), data: 'é'.repeat(4096) });
  await assert.rejects(session.signal({ type: 'x'.repeat(129) }), { code: 'SIGNAL_TYPE_TOO_LONG' });
  await assert.rejects(session.signal({ data: 'x'.repeat(8193) }), { code: 'SIGNAL_DATA_TOO_LONG' });
  await assert.rejects(session.signal({ data: 'é'.repeat(4097) }), { code: 'SIGNAL_DATA_TOO_LONG' });
  await assert.rejects(session.signal({ type: 'has space' }), { code: 'SIGNAL_TYPE_INVALID' });
  await assert.rejects(session.signal({ data: 'x', to: 'nobody-here' }), { code: 'CONNECTION_NOT_FOUND' });
  await assert.rejects(session.signal({ data: 5 as unknown as string }), TypeError);
});

test('the server enforces the limits itself, whatever the client checks', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const { openRawSocket } = await import('@vigil/test-kit');
  const raw = await openRawSocket(h.url, sessionId, h.token(sessionId));
  raw.send(JSON.stringify({ type: 'signal', id: 1, data: 'x'.repeat(8193) }));
  raw.send(JSON.stringify({ type: 'signal', id: 2, signalType: 'y'.repeat(129), data: '' }));
  assert.equal((await raw.waitFor((m) => m['id'] === 1))['code'], 'SIGNAL_DATA_TOO_LONG');
  assert.equal((await raw.waitFor((m) => m['id'] === 2))['code'], 'SIGNAL_TYPE_TOO_LONG');
  raw.socket.close();
});

test('signal() before connect or after disconnect rejects with NOT_CONNECTED', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const session = h.session(sessionId);
  await assert.rejects(session.signal({ data: 'x' }), { code: 'NOT_CONNECTED' });
  await session.connect(h.token(sessionId));
  session.disconnect();
  await assert.rejects(session.signal({ data: 'x' }), { code: 'NOT_CONNECTED' });
});

test('token data is visible to everyone as connection.data', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const a = await h.join(sessionId, { data: 'userId=42' });
  const b = await h.join(sessionId, { data: '{"name":"Bo"}' });
  const seen = b.connections.find((c) => c.connectionId === a.connection?.connectionId);
  assert.equal(seen?.data, 'userId=42');
  await waitUntil(() => a.connections.length === 2, 'a sees b');
  assert.equal(a.connections.find((c) => c.connectionId === b.connection?.connectionId)?.data, '{"name":"Bo"}');
});
