import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callSdk, createOpenTok, nextEvent, rawHttp, recordEvents, startTestServer } from '@vigil/test-kit';

// forceDisconnect through the official SDK, with the effect seen by the target and by a peer.

test('forceDisconnect: the target gets sessionDisconnected and peers connectionDestroyed, both forceDisconnected', async (t) => {
  const h = await startTestServer(t);
  const ot = createOpenTok(h.apiKey, h.apiSecret, h.url);
  const sessionId = h.newSessionId();
  const target = await h.join(sessionId);
  const peer = await h.join(sessionId, { role: 'subscriber' });
  const destroyedSeen = recordEvents(peer, 'connectionDestroyed');
  const out = nextEvent(target, 'sessionDisconnected');
  const seen = nextEvent(peer, 'connectionDestroyed');
  const targetId = target.connection?.connectionId ?? '';

  const outcome = await callSdk('forceDisconnect', (cb) => ot.forceDisconnect(sessionId, targetId, cb));
  assert.equal(outcome.error, null);
  assert.equal((await out).reason, 'forceDisconnected');
  const event = await seen;
  assert.equal(event.reason, 'forceDisconnected');
  assert.equal(event.connection.connectionId, targetId);

  // Exactly once: a second call finds nobody, and the peer saw one exit.
  const again = await callSdk('forceDisconnect', (cb) => ot.forceDisconnect(sessionId, targetId, cb));
  assert.equal(again.error?.message, 'Session or Connection not found');
  await peer.signal({ data: 'sync' });
  assert.equal(destroyedSeen.length, 1);
});

test('the REST answer is 204 with no body; unknown ids are 404 JSON', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const member = await h.join(sessionId);
  const base = `/v2/project/${h.apiKey}/session`;
  const del = (path: string) => rawHttp(h.url, { method: 'DELETE', path, headers: { 'x-opentok-auth': h.restAuth() } });

  const unknownConnection = await del(`${base}/${sessionId}/connection/nobody`);
  assert.equal(unknownConnection.status, 404);
  assert.equal((unknownConnection.json as { code: string }).code, 'CONNECTION_NOT_FOUND');
  const emptySession = await del(`${base}/${h.newSessionId()}/connection/${member.connection?.connectionId ?? ''}`);
  assert.equal(emptySession.status, 404);
  assert.equal((emptySession.json as { code: string }).code, 'SESSION_NOT_FOUND');

  const gone = nextEvent(member, 'sessionDisconnected');
  const ok = await del(`${base}/${sessionId}/connection/${member.connection?.connectionId ?? ''}`);
  assert.deepEqual([ok.status, ok.text], [204, '']);
  assert.equal((await gone).reason, 'forceDisconnected');
});

test('a connection of another session cannot be removed through this session', async (t) => {
  const h = await startTestServer(t);
  const ot = createOpenTok(h.apiKey, h.apiSecret, h.url);
  const [one, two] = [h.newSessionId(), h.newSessionId()];
  await h.join(one);
  const elsewhere = await h.join(two);
  const outcome = await callSdk('forceDisconnect', (cb) => ot.forceDisconnect(one, elsewhere.connection?.connectionId ?? '', cb));
  assert.equal(outcome.error?.message, 'Session or Connection not found');
  assert.equal(elsewhere.state, 'connected');
});
