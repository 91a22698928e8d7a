import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionId } from '@vigil/protocol';
import { callSdkMethod, createOpenTok, openRawSocket, rawHttp, startTestServer } from '@vigil/test-kit';

// Bad input to the stream routes: every case is a 4xx JSON `{code, message}` with its own code,
// nothing changes, and the server keeps serving.

test('stream routes: bad ids, bodies, types, sizes and credentials get 4xx JSON; the server stays up', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const raw = await openRawSocket(h.url, sessionId, h.token(sessionId));
  await raw.waitFor((m) => m['type'] === 'welcome');
  raw.send(JSON.stringify({ type: 'publish', id: 1, streamId: 'a', name: 'cam', videoType: 'camera', hasAudio: true, hasVideo: true }));
  await raw.waitFor((m) => m['type'] === 'streamCreated');

  const base = `/v2/project/${h.apiKey}/session/${sessionId}`;
  const json = { 'content-type': 'application/json' };
  const names = (n: number, length = 8) => Array.from({ length: n }, (_, i) => `c${String(i).padStart(length - 1, '0')}`);
  const classes = (list: unknown) => JSON.stringify({ items: [{ id: 'a', layoutClassList: list }] });
  const emptySession = h.newSessionId();
  const otherKeySession = createSessionId({ apiKey: String(Number(h.apiKey) + 1), mediaMode: 'relayed' });

  const cases: [string, string, string, Record<string, string>, string | undefined, number, string][] = [
    // [label, method, path, headers, body, status, code]
    ['unknown stream', 'GET', `${base}/stream/ghost`, {}, undefined, 404, 'STREAM_NOT_FOUND'],
    ['mute unknown stream', 'POST', `${base}/stream/ghost/mute`, json, '{}', 404, 'STREAM_NOT_FOUND'],
    ['traversal in stream id', 'GET', `${base}/stream/..%2F..%2Fetc`, {}, undefined, 404, 'NOT_FOUND'],
    ['encoded traversal, mute', 'POST', `${base}/stream/..%2Fb/mute`, json, '{}', 404, 'NOT_FOUND'],
    ['backslash in stream id', 'GET', `${base}/stream/a%5C..%5Cb`, {}, undefined, 404, 'NOT_FOUND'],
    ['nobody in the session', 'GET', `/v2/project/${h.apiKey}/session/${emptySession}/stream`, {}, undefined, 404, 'SESSION_NOT_FOUND'],
    ['session of another key', 'GET', `/v2/project/${h.apiKey}/session/${otherKeySession}/stream`, {}, undefined, 400, 'SESSION_ID_INVALID'],
    ['not JSON', 'PUT', `${base}/stream`, json, '{"items": [', 400, 'REQUEST_INVALID'],
    ['items missing', 'PUT', `${base}/stream`, json, '{}', 400, 'REQUEST_INVALID'],
    ['items not an array', 'PUT', `${base}/stream`, json, '{"items":{"id":"a"}}', 400, 'REQUEST_INVALID'],
    ['list not an array', 'PUT', `${base}/stream`, json, classes('full'), 400, 'REQUEST_INVALID'],
    ['class not a string', 'PUT', `${base}/stream`, json, classes(['full', 7]), 400, 'REQUEST_INVALID'],
    ['id not a string', 'PUT', `${base}/stream`, json, '{"items":[{"id":5,"layoutClassList":[]}]}', 400, 'REQUEST_INVALID'],
    ['class with a space', 'PUT', `${base}/stream`, json, classes(['full focus']), 400, 'LAYOUT_CLASS_LIST_INVALID'],
    ['class with markup', 'PUT', `${base}/stream`, json, classes(['<script>']), 400, 'LAYOUT_CLASS_LIST_INVALID'],
    ['empty class', 'PUT', `${base}/stream`, json, classes(['']), 400, 'LAYOUT_CLASS_LIST_INVALID'],
    ['class too long', 'PUT', `${base}/stream`, json, classes(['x'.repeat(65)]), 400, 'LAYOUT_CLASS_LIST_INVALID'],
    ['too many classes', 'PUT', `${base}/stream`, json, classes(names(65, 3)), 400, 'LAYOUT_CLASS_LIST_INVALID'],
    ['over 1024 characters', 'PUT', `${base}/stream`, json, classes(names(40, 30)), 400, 'LAYOUT_CLASS_LIST_INVALID'],
    ['traversal as a stream id', 'PUT', `${base}/stream`, json, '{"items":[{"id":"../../a","layoutClassList":[]}]}', 400, 'LAYOUT_STREAM_NOT_FOUND'],
    ['form body', 'PUT', `${base}/stream`, { 'content-type': 'application/x-www-form-urlencoded' }, 'items=a', 415, 'CONTENT_TYPE_UNSUPPORTED'],
    ['huge body', 'PUT', `${base}/stream`, json, JSON.stringify({ items: [], pad: 'x'.repeat(70_000) }), 413, 'REQUEST_TOO_LARGE'],
    ['active missing', 'POST', `${base}/mute`, json, '{}', 400, 'REQUEST_INVALID'],
    ['active not a boolean', 'POST', `${base}/mute`, json, '{"active":"yes"}', 400, 'REQUEST_INVALID'],
    ['excluded not an array', 'POST', `${base}/mute`, json, '{"active":true,"excludedStreamIds":"a"}', 400, 'REQUEST_INVALID'],
    ['excluded ids not strings', 'POST', `${base}/mute`, json, '{"active":true,"excludedStreamIds":[1]}', 400, 'REQUEST_INVALID'],
    ['mute body an array', 'POST', `${base}/stream/a/mute`, json, '[]', 400, 'REQUEST_INVALID'],
    ['wrong method', 'DELETE', `${base}/stream`, {}, undefined, 405, 'METHOD_NOT_ALLOWED'],
  ];
  for (const [label, method, path, headers, body, status, code] of cases) {
    const answer = await rawHttp(h.url, { method, path, headers: { 'x-opentok-auth': h.restAuth(), ...headers }, ...(body === undefined ? {} : { body }) });
    assert.equal(answer.status, status, `${label}: ${answer.text.slice(0, 200)}`);
    assert.equal(answer.contentType?.split(';')[0], 'application/json', label);
    assert.equal((answer.json as { code?: string }).code, code, label);
    assert.ok(((answer.json as { message?: string }).message ?? '').length > 0, label);
  }

  // No credential, or a client token as one: 403 before any body is read.
  for (const auth of [undefined, h.token(sessionId, { role: 'moderator' })]) {
    const answer = await rawHttp(h.url, { method: 'POST', path: `${base}/mute`, headers: { ...json, ...(auth ? { 'x-opentok-auth': auth } : {}) }, body: '{"active":true}' });
    assert.deepEqual([answer.status, (answer.json as { code: string }).code], [403, 'AUTH_FAILED']);
  }

  // Nothing above changed the stream, and the server still answers the SDK.
  assert.ok(!raw.messages.some((m) => m['type'] === 'streamPropertyChanged' || m['type'] === 'streamMuteForced' || m['type'] === 'muteForced'));
  const ot = createOpenTok(h.apiKey, h.apiSecret, h.url);
  const listed = await callSdkMethod(ot, 'listStreams', sessionId);
  assert.deepEqual((listed.values[0] as { id: string; hasAudio: boolean; layoutClassList: string[] }[]).map((s) => [s.id, s.hasAudio, s.layoutClassList]), [['a', true, []]]);
});
