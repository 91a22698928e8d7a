import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { callSdk, createOpenTok, nextEvent, rawHttp, startTestServer, waitUntil, type TestServer } from '@vigil/test-kit';
import { ConnectionView, SessionView } from '../src/http/rest-schemas.js';

// Vigil's additions on the OpenTok credential: GET a session, GET a connection's timeline. Every
// answer is checked against the schema the OpenAPI document publishes.

const checkSession = TypeCompiler.Compile(SessionView);
const checkConnection = TypeCompiler.Compile(ConnectionView);

async function getJson(h: TestServer, path: string, auth = h.restAuth()) {
  const response = await rawHttp(h.url, { method: 'GET', path: `/v2/project/${h.apiKey}${path}`, headers: { 'x-opentok-auth': auth } });
  return { ...response, body: response.json as Record<string, unknown> };
}

test('GET a session lists its connections in join order with their states, and the timers in force', async (t) => {
  const h = await startTestServer(t, { timers: { networkGraceMs: 12_345 } });
  const sessionId = h.newSessionId('routed');
  const first = await h.join(sessionId, { data: 'name=Ann', role: 'moderator' });
  const second = await h.join(sessionId, { data: 'name=Bo' });
  const changed = nextEvent(first, 'connectionStateChanged', { where: (e) => e.state === 'background' });
  second.announce('background', 'app');
  await changed;

  const { status, contentType, body } = await getJson(h, `/session/${sessionId}`);
  assert.equal(status, 200);
  assert.equal(contentType?.split(';')[0], 'application/json');
  assert.ok(checkSession.Check(body), JSON.stringify([...checkSession.Errors(body)][0]));
  assert.equal(body['sessionId'], sessionId);
  assert.equal(body['mediaMode'], 'routed');
  assert.deepEqual(body['streams'], []);
  assert.equal((body['timers'] as { networkGraceMs: number }).networkGraceMs, 12_345);
  const connections = body['connections'] as { connectionId: string; data: string; role: string; state: string }[];
  assert.deepEqual(
    connections.map((c) => [c.connectionId, c.data, c.role, c.state]),
    [
      [first.connection?.connectionId, 'name=Ann', 'moderator', 'active'],
      [second.connection?.connectionId, 'name=Bo', 'publisher', 'background'],
    ],
  );
});

test('GET a connection: its timeline while live, and after it was forced out, with the reason', async (t) => {
  const h = await startTestServer(t);
  const ot = createOpenTok(h.apiKey, h.apiSecret, h.url);
  const sessionId = h.newSessionId();
  const stays = await h.join(sessionId);
  const leaves = await h.join(sessionId, { data: 'who=me', role: 'subscriber' });
  const id = leaves.connection?.connectionId ?? '';
  leaves.announce('background', 'app');
  await waitUntil(async () => (await getJson(h, `/session/${sessionId}/connection/${id}`)).body['state'] === 'background', 'background recorded');

  const live = await getJson(h, `/session/${sessionId}/connection/${id}`);
  assert.ok(checkConnection.Check(live.body), JSON.stringify([...checkConnection.Errors(live.body)][0]));
  const liveTimeline = live.body['timeline'] as { state: string; reason: string; at: number }[];
  assert.deepEqual(liveTimeline.map((e) => [e.state, e.reason]), [['joined', 'subscriber'], ['background', 'app']]);
  assert.equal(live.body['destroyed'], undefined);

  const out = await callSdk('forceDisconnect', (cb) => ot.forceDisconnect(sessionId, id, cb));
  assert.equal(out.error, null);
  const after = await getJson(h, `/session/${sessionId}/connection/${id}`);
  assert.equal(after.status, 200);
  assert.ok(checkConnection.Check(after.body), JSON.stringify([...checkConnection.Errors(after.body)][0]));
  assert.equal(after.body['state'], 'destroyed');
  assert.equal(after.body['data'], 'who=me');
  assert.equal((after.body['destroyed'] as { reason: string }).reason, 'forceDisconnected');
  const timeline = after.body['timeline'] as { state: string; reason: string; at: number }[];
  assert.deepEqual(timeline.at(-1)?.state, 'destroyed');
  assert.deepEqual(timeline.at(-1)?.reason, 'forceDisconnected');
  assert.ok(timeline.every((e, i) => i === 0 || e.at >= (timeline[i - 1]?.at ?? 0)), 'oldest first');

  // The session still has the other member; the exited one is no longer listed.
  const session = await getJson(h, `/session/${sessionId}`);
  assert.deepEqual((session.body['connections'] as { connectionId: string }[]).map((c) => c.connectionId), [stays.connection?.connectionId]);
});

test('a connection is only visible under its own session; unknown ids are 404, foreign ids 400', async (t) => {
  const h = await startTestServer(t);
  const [one, two] = [h.newSessionId(), h.newSessionId()];
  await h.join(one);
  const other = await h.join(two);
  const id = other.connection?.connectionId ?? '';
  assert.equal((await getJson(h, `/session/${one}/connection/${id}`)).status, 404);
  other.disconnect();
  await waitUntil(async () => (await getJson(h, `/session/${two}/connection/${id}`)).body['state'] === 'destroyed', 'exit recorded');
  const exited = await getJson(h, `/session/${one}/connection/${id}`);
  assert.deepEqual([exited.status, exited.body['code']], [404, 'CONNECTION_NOT_FOUND']);
  const viaOwn = await getJson(h, `/session/${two}/connection/${id}`);
  assert.equal((viaOwn.body['destroyed'] as { reason: string }).reason, 'clientDisconnected');
  // Nobody left in `two`: the session itself is gone, the exited connection is still readable.
  assert.deepEqual([(await getJson(h, `/session/${two}`)).status], [404]);
  assert.equal((await getJson(h, '/session/not-a-session')).status, 400);
});

test('the inspection routes need the project credential, like the OpenTok ones', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const member = await h.join(sessionId);
  const clientToken = h.token(sessionId, { expireTime: Math.floor(Date.now() / 1000) + 60 });
  for (const path of [`/session/${sessionId}`, `/session/${sessionId}/connection/${member.connection?.connectionId ?? ''}`]) {
    assert.equal((await getJson(h, path, 'not-a-jwt')).status, 403);
    assert.equal((await getJson(h, path, clientToken)).status, 403);
    assert.equal((await getJson(h, path)).status, 200);
  }
});
