import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionId } from '@vigil/protocol';
import { callSdk, createOpenTok, nextEvent, rawHttp, recordEvents, startTestServer } from '@vigil/test-kit';

// The official SDK's signal() against a real server, observed by real @vigil/client sessions.

test('signal to a session: every member gets it with from = null, the type and the data', async (t) => {
  const h = await startTestServer(t);
  const ot = createOpenTok(h.apiKey, h.apiSecret, h.url);
  const sessionId = h.newSessionId();
  const members = await Promise.all([h.join(sessionId), h.join(sessionId), h.join(sessionId, { role: 'subscriber' })]);
  const got = members.map((s) => nextEvent(s, 'signal:chat'));
  const outcome = await callSdk('signal', (cb) => ot.signal(sessionId, null, { type: 'chat', data: 'from the app' }, cb));
  assert.equal(outcome.error, null);
  for (const event of await Promise.all(got)) {
    assert.equal(event.from, null);
    assert.equal(event.type, 'chat');
    assert.equal(event.data, 'from the app');
  }
});

test('signal to one connection reaches only it', async (t) => {
  const h = await startTestServer(t);
  const ot = createOpenTok(h.apiKey, h.apiSecret, h.url);
  const sessionId = h.newSessionId();
  const [a, b, c] = await Promise.all([h.join(sessionId), h.join(sessionId), h.join(sessionId)]);
  const seenByA = recordEvents(a, 'signal');
  const seenByC = recordEvents(c, 'signal');
  const toB = nextEvent(b, 'signal');
  const target = b.connection?.connectionId ?? '';
  const outcome = await callSdk('signal', (cb) => ot.signal(sessionId, target, { type: 'dm', data: 'psst' }, cb));
  assert.equal(outcome.error, null);
  const event = await toB;
  assert.deepEqual([event.from, event.type, event.data], [null, 'dm', 'psst']);
  // A broadcast sent afterwards arrives after the targeted one would have: A and C saw only it.
  const marker = [a, c].map((s) => nextEvent(s, 'signal:marker'));
  await callSdk('signal', (cb) => ot.signal(sessionId, null, { type: 'marker', data: '' }, cb));
  await Promise.all(marker);
  assert.deepEqual(seenByA.map((e) => e.type), ['marker']);
  assert.deepEqual(seenByC.map((e) => e.type), ['marker']);
});

test('the REST answer is 204 with no body; limits are OpenTok’s (413), counted in UTF-8 bytes', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const member = await h.join(sessionId);
  const path = `/v2/project/${h.apiKey}/session/${sessionId}/signal`;
  const post = (body: unknown) =>
    rawHttp(h.url, { method: 'POST', path, headers: { 'x-opentok-auth': h.restAuth(), 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const edge = nextEvent(member, 'signal');
  const ok = await post({ type: 'x'.repeat(128), data: 'é'.repeat(4096) });
  assert.deepEqual([ok.status, ok.text, ok.contentType], [204, '', undefined]);
  assert.equal((await edge).data.length, 4096);

  const cases: [unknown, number, string][] = [
    [{ type: 'x'.repeat(129), data: '' }, 413, 'SIGNAL_TYPE_TOO_LONG'],
    [{ data: 'x'.repeat(8193) }, 413, 'SIGNAL_DATA_TOO_LONG'],
    [{ data: 'é'.repeat(4097) }, 413, 'SIGNAL_DATA_TOO_LONG'],
    [{ type: 'has space', data: '' }, 400, 'SIGNAL_TYPE_INVALID'],
    [{ type: 'chat' }, 400, 'REQUEST_INVALID'],
    [{ data: 5 }, 400, 'REQUEST_INVALID'],
    [{ type: 7, data: 'x' }, 400, 'REQUEST_INVALID'],
    [[], 400, 'REQUEST_INVALID'],
    ['just a string', 400, 'REQUEST_INVALID'],
  ];
  for (const [body, status, code] of cases) {
    const response = await post(body);
    assert.equal(response.status, status, JSON.stringify(body).slice(0, 60));
    assert.equal((response.json as { code?: string }).code, code);
  }
});

test('through the SDK: unknown connection and empty session are "not found"; a broken limit is readable', async (t) => {
  const h = await startTestServer(t);
  const ot = createOpenTok(h.apiKey, h.apiSecret, h.url);
  const sessionId = h.newSessionId();
  await h.join(sessionId);

  const noConnection = await callSdk('signal', (cb) => ot.signal(sessionId, 'no-such-connection', { data: 'x' }, cb));
  assert.equal(noConnection.error?.message, 'Session or Connection not found');

  const empty = await callSdk('signal', (cb) => ot.signal(h.newSessionId(), null, { data: 'x' }, cb));
  assert.equal(empty.error?.message, 'Session or Connection not found');

  const tooLong = await callSdk('signal', (cb) => ot.signal(sessionId, null, { data: 'x'.repeat(9000) }, cb));
  assert.match(tooLong.error?.message ?? '', /Signal data exceeds 8 KB/);
});

test('a session id of another API key, or not a session id, is 400 SESSION_ID_INVALID', async (t) => {
  const h = await startTestServer(t);
  const foreign = createSessionId({ apiKey: '12345678' });
  for (const sessionId of [foreign, 'not-a-session-id', '1_MX4']) {
    const response = await rawHttp(h.url, {
      method: 'POST',
      path: `/v2/project/${h.apiKey}/session/${sessionId}/signal`,
      headers: { 'x-opentok-auth': h.restAuth(), 'content-type': 'application/json' },
      body: '{"data":"x"}',
    });
    assert.equal(response.status, 400, sessionId);
    assert.equal((response.json as { code?: string }).code, 'SESSION_ID_INVALID');
  }
  const ot = createOpenTok(h.apiKey, h.apiSecret, h.url);
  const viaSdk = await callSdk('signal', (cb) => ot.signal(foreign, null, { data: 'x' }, cb));
  assert.match(viaSdk.error?.message ?? '', /session id is malformed or belongs to another API key/);
});

test('a connection that announced background still gets a targeted signal', async (t) => {
  const h = await startTestServer(t);
  const ot = createOpenTok(h.apiKey, h.apiSecret, h.url);
  const sessionId = h.newSessionId();
  const member = await h.join(sessionId);
  const id = member.connection?.connectionId ?? '';
  const got = nextEvent(member, 'signal:later', { timeoutMs: 10_000 });
  member.announce('background', 'test');
  const outcome = await callSdk('signal', (cb) => ot.signal(sessionId, id, { type: 'later', data: 'queued' }, cb));
  assert.equal(outcome.error, null);
  assert.equal((await got).from, null);
});
