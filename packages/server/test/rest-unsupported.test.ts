import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callSdk, callSdkMethod, createOpenTok, rawHttp, startTestServer, watchUnhandledRejections } from '@vigil/test-kit';

// Every SDK call Vigil does not serve yet must fail readably: a message naming what is missing, no
// hang (each call has a deadline) and no crash (no unhandled rejection, P1-P3).

const UUID = '5e1f3a9c-7b2d-4c8e-9f10-2a3b4c5d6e7f';

test('each unsupported SDK call reports "not available in Vigil yet", never hangs or crashes', async (t) => {
  const h = await startTestServer(t);
  const ot = createOpenTok(h.apiKey, h.apiSecret, h.url);
  const sessionId = h.newSessionId('routed');
  const member = await h.join(sessionId);
  const token = ot.generateToken(sessionId);
  const connectionId = member.connection?.connectionId ?? '';
  const calls: [string, unknown[]][] = [
    ['startArchive', [sessionId, { name: 'n' }]],
    ['startArchive', [sessionId]],
    ['stopArchive', [UUID]],
    ['getArchive', [UUID]],
    ['deleteArchive', [UUID]],
    ['listArchives', [{ count: 5 }]],
    ['addArchiveStream', [UUID, 'stream-1', { hasAudio: false }]],
    ['removeArchiveStream', [UUID, 'stream-1']],
    ['setArchiveLayout', [UUID, 'bestFit', null, 'horizontalPresentation']],
    ['startBroadcast', [sessionId, { outputs: { hls: {} } }]],
    ['stopBroadcast', [UUID]],
    ['getBroadcast', [UUID]],
    ['listBroadcasts', [{}]],
    ['addBroadcastStream', [UUID, 'stream-1', {}]],
    ['removeBroadcastStream', [UUID, 'stream-1']],
    ['setBroadcastLayout', [UUID, 'bestFit', null, null]],
    ['dial', [sessionId, token, 'sip:user@example.com', {}]],
    ['playDTMF', [sessionId, null, '1234']],
    ['playDTMF', [sessionId, connectionId, '1234']],
    ['websocketConnect', [sessionId, token, 'wss://example.com/audio', {}]],
    ['startCaptions', [sessionId, token, {}]],
    ['stopCaptions', [UUID]],
    ['listRenders', [{ count: 10 }]],
    ['startRender', [{ sessionId, token, url: 'https://example.com' }]],
    ['getRender', [UUID]],
    ['stopRender', [UUID]],
    ['listCallbacks', [{}]],
    ['registerCallback', [{ group: 'connection', event: 'created', url: 'https://example.com/cb' }]],
    ['unregisterCallback', [UUID]],
  ];
  const rejections = watchUnhandledRejections();
  t.after(() => rejections.stop());
  for (const [method, args] of calls) {
    const outcome = await callSdkMethod(ot, method, ...args);
    assert.ok(outcome.error instanceof Error, `${method}: expected an error, got ${JSON.stringify(outcome.values).slice(0, 120)}`);
    assert.match(outcome.error.message, /not available in Vigil yet/, `${method}: ${outcome.error.message}`);
  }
  // Give any second callback or late rejection a moment to surface before judging.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(rejections.seen, []);

  // The server and the session are unharmed.
  const after = await callSdk('signal', (cb) => ot.signal(sessionId, null, { data: 'still here' }, cb));
  assert.equal(after.error, null);
});

test('the 501 answers are stable JSON with code NOT_IMPLEMENTED, whatever the credential', async (t) => {
  const h = await startTestServer(t);
  const routes: [string, string][] = [
    ['POST', 'archive'],
    ['GET', `archive/${UUID}`],
    ['POST', 'broadcast'],
    ['POST', 'dial'],
    ['POST', 'connect'],
    ['POST', 'captions'],
    ['GET', 'render'],
    ['DELETE', `callback/${UUID}`],
  ];
  for (const [method, rest] of routes) {
    for (const headers of [{ 'x-opentok-auth': h.restAuth() }, {}]) {
      const response = await rawHttp(h.url, { method, path: `/v2/project/${h.apiKey}/${rest}`, headers });
      assert.equal(response.status, 501, `${method} ${rest}`);
      assert.equal(response.contentType?.split(';')[0], 'application/json');
      const body = response.json as { code: string; message: string };
      assert.equal(body.code, 'NOT_IMPLEMENTED');
      assert.match(body.message, /is not available in Vigil yet\.$/);
    }
  }
  // The two shapes the SDK needs to report instead of crashing: `items` on listBroadcasts, an array on listCallbacks.
  const broadcasts = await rawHttp(h.url, { method: 'GET', path: `/v2/project/${h.apiKey}/broadcast` });
  assert.deepEqual((broadcasts.json as { items: unknown[] }).items, []);
  const callbacks = await rawHttp(h.url, { method: 'GET', path: `/v2/project/${h.apiKey}/callback` });
  assert.equal((callbacks.json as { code: string }[])[0]?.code, 'NOT_IMPLEMENTED');
});

test('listCallbacks with a wrong secret still reports instead of crashing (501 comes before auth)', async (t) => {
  const h = await startTestServer(t);
  const wrong = createOpenTok(h.apiKey, 'an-entirely-wrong-secret', h.url);
  const rejections = watchUnhandledRejections();
  t.after(() => rejections.stop());
  const outcome = await callSdkMethod(wrong, 'listCallbacks', {});
  assert.match(outcome.error?.message ?? '', /not available in Vigil yet/);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(rejections.seen, []);
});
