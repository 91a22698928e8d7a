import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '@vigil/client';
import {
  callSdkMethod,
  createOpenTok,
  nextEvent,
  openRawSocket,
  rawHttp,
  recordEvents,
  startTestServer,
  type OpenTokSdk,
  type RawSocket,
  type TestServer,
} from '@vigil/test-kit';

// The stream calls of the official `opentok` SDK (2.23.2) against a real server: listStreams,
// getStream, setStreamClassLists, forceMuteStream, forceMuteAll, disableForceMute. Streams are
// published from raw sockets (no WebRTC in Node; a relayed publish needs none); real `@vigil/client`
// sessions observe what peers see.

let nextRequestId = 1;

interface RawPublisher {
  raw: RawSocket;
  /** Sends a request and resolves with its `ack` or `error`. */
  request(body: Record<string, unknown>): Promise<Record<string, unknown>>;
  publish(streamId: string, extra?: Record<string, unknown>): Promise<void>;
}

async function rawPublisher(h: TestServer, sessionId: string): Promise<RawPublisher> {
  const raw = await openRawSocket(h.url, sessionId, h.token(sessionId));
  await raw.waitFor((m) => m['type'] === 'welcome');
  const request = async (body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const id = nextRequestId++;
    raw.send(JSON.stringify({ ...body, id }));
    return raw.waitFor((m) => m['id'] === id && (m['type'] === 'ack' || m['type'] === 'error'));
  };
  return {
    raw,
    request,
    async publish(streamId, extra = {}) {
      const body = { type: 'publish', streamId, name: `cam-${streamId}`, videoType: 'camera', hasAudio: true, hasVideo: true, ...extra };
      assert.equal((await request(body))['type'], 'ack');
      await raw.waitFor((m) => m['type'] === 'streamCreated' && (m['stream'] as { id: string }).id === streamId);
    },
  };
}

/** A session with an observer (a real client) and a raw publisher of stream `a` and `b`. */
async function room(t: Parameters<typeof startTestServer>[0]) {
  const h = await startTestServer(t);
  const ot = createOpenTok(h.apiKey, h.apiSecret, h.url);
  const sessionId = h.newSessionId();
  const observer = await h.join(sessionId, { role: 'subscriber', data: 'observer' });
  const pub = await rawPublisher(h, sessionId);
  const created = nextEvent(observer, 'streamCreated', { where: (e) => e.stream.streamId === 'b' });
  await pub.publish('a');
  await pub.publish('b', { videoType: 'screen', name: 'slides' });
  await created;
  return { h, ot, sessionId, observer, pub };
}

const streamsPath = (h: TestServer, sessionId: string) => `/v2/project/${h.apiKey}/session/${sessionId}/stream`;

function call(ot: OpenTokSdk, method: string, ...args: unknown[]) {
  return callSdkMethod(ot, method, ...args);
}

function propertyChange(session: Session, streamId: string, changedProperty: string) {
  return nextEvent(session, 'streamPropertyChanged', { where: (e) => e.stream.streamId === streamId && e.changedProperty === changedProperty });
}

test('listStreams and getStream: OpenTok Stream objects with Vigil fields; unknown stream is the SDK\'s Not Found', async (t) => {
  const { h, ot, sessionId } = await room(t);
  const listed = await call(ot, 'listStreams', sessionId);
  assert.equal(listed.error, null);
  const streams = listed.values[0] as Record<string, unknown>[];
  assert.deepEqual(
    streams.map((s) => [s['id'], s['videoType'], s['name'], s['layoutClassList'], s['hasAudio']]),
    [
      ['a', 'camera', 'cam-a', [], true],
      ['b', 'screen', 'slides', [], true],
    ],
  );

  const got = await call(ot, 'getStream', sessionId, 'b');
  assert.equal(got.error, null);
  const stream = got.values[0] as Record<string, unknown>;
  assert.deepEqual([stream['id'], stream['videoType'], stream['name'], stream['layoutClassList']], ['b', 'screen', 'slides', []]);
  assert.equal(typeof stream['connectionId'], 'string');

  const missing = await call(ot, 'getStream', sessionId, 'nope');
  assert.equal(missing.error?.message, 'Not Found');

  // The Vigil inspection view lists the same streams.
  const inspect = await rawHttp(h.url, { method: 'GET', path: `/v2/project/${h.apiKey}/session/${sessionId}`, headers: { 'x-opentok-auth': h.restAuth() } });
  assert.deepEqual((inspect.json as { streams: { id: string }[] }).streams.map((s) => s.id), ['a', 'b']);
  assert.deepEqual((inspect.json as { forceMute: unknown }).forceMute, { active: false, excludedStreamIds: [] });
});

test('P4: getStream answers JSON under a content type that is not application/json', async (t) => {
  const { h, sessionId } = await room(t);
  const answer = await rawHttp(h.url, { method: 'GET', path: `${streamsPath(h, sessionId)}/a`, headers: { 'x-opentok-auth': h.restAuth() } });
  assert.equal(answer.status, 200);
  assert.notEqual(answer.contentType?.split(';')[0], 'application/json');
  assert.equal(answer.contentType?.split(';')[0], 'application/vnd.vigil.stream+json');
  assert.equal((JSON.parse(answer.text) as { id: string }).id, 'a');
});

test('P5: listStreams is exactly application/json with items, also when there are no streams', async (t) => {
  const h = await startTestServer(t);
  const ot = createOpenTok(h.apiKey, h.apiSecret, h.url);
  const sessionId = h.newSessionId();
  await h.join(sessionId);
  const answer = await rawHttp(h.url, { method: 'GET', path: streamsPath(h, sessionId), headers: { 'x-opentok-auth': h.restAuth() } });
  assert.equal(answer.status, 200);
  assert.equal(answer.contentType?.split(';')[0], 'application/json');
  assert.deepEqual(answer.json, { count: 0, items: [] });
  const listed = await call(ot, 'listStreams', sessionId);
  assert.deepEqual([listed.error, listed.values[0]], [null, []]);
});

test('setStreamClassLists: peers get streamPropertyChanged layoutClassList and their Stream updates; all or nothing', async (t) => {
  const { ot, sessionId, observer } = await room(t);
  const changed = propertyChange(observer, 'a', 'layoutClassList');
  const set = await call(ot, 'setStreamClassLists', sessionId, [{ id: 'a', layoutClassList: ['full', 'focus'] }]);
  assert.equal(set.error, null);
  const event = await changed;
  assert.deepEqual([event.oldValue, event.newValue, event.reason], [[], ['full', 'focus'], 'layoutClassList']);
  assert.deepEqual(event.stream.layoutClassList, ['full', 'focus']);
  assert.deepEqual(observer.streams.find((s) => s.streamId === 'a')?.layoutClassList, ['full', 'focus']);

  // One unknown stream in the list: a 400 the SDK reports with its message, and nothing changes.
  const seen = recordEvents(observer, 'streamPropertyChanged');
  const bad = await call(ot, 'setStreamClassLists', sessionId, [
    { id: 'b', layoutClassList: ['top'] },
    { id: 'ghost', layoutClassList: ['x'] },
  ]);
  assert.match(bad.error?.message ?? '', /Unexpected response from OpenTok: .*"ghost.*is published in this session; nothing was changed/);
  const listed = await call(ot, 'listStreams', sessionId);
  assert.deepEqual((listed.values[0] as { id: string; layoutClassList: string[] }[]).map((s) => [s.id, s.layoutClassList]), [
    ['a', ['full', 'focus']],
    ['b', []],
  ]);

  // Setting the same list again announces nothing; clearing it announces the change.
  const cleared = propertyChange(observer, 'a', 'layoutClassList');
  assert.equal((await call(ot, 'setStreamClassLists', sessionId, [{ id: 'a', layoutClassList: ['full', 'focus'] }, { id: 'a', layoutClassList: [] }])).error, null);
  assert.deepEqual((await cleared).newValue, []);
  assert.equal(seen.length, 1);
});

test('forceMuteStream: the publisher is told, peers see hasAudio false (forceMuted), subscribers audioDisabled; the publisher may unmute', async (t) => {
  const { h, ot, sessionId, observer, pub } = await room(t);
  const viewer = await rawPublisher(h, sessionId);
  assert.equal((await viewer.request({ type: 'subscribe', streamId: 'a', subscriptionId: 'sub1' }))['type'], 'ack');
  const others = recordEvents(observer, 'streamPropertyChanged');
  const muted = propertyChange(observer, 'a', 'hasAudio');

  const outcome = await call(ot, 'forceMuteStream', sessionId, 'a');
  assert.equal(outcome.error, null);
  const event = await muted;
  assert.deepEqual([event.oldValue, event.newValue, event.reason, event.stream.hasAudio], [true, false, 'forceMuted', false]);
  await pub.raw.waitFor((m) => m['type'] === 'streamMuteForced' && m['streamId'] === 'a');
  const media = await viewer.raw.waitFor((m) => m['type'] === 'subscriberMedia');
  assert.deepEqual([media['kind'], media['enabled'], media['reason']], ['audio', false, 'forceMuted']);
  assert.deepEqual(others.map((e) => e.stream.streamId), ['a'], 'stream b untouched');
  assert.ok(!pub.raw.messages.some((m) => m['type'] === 'muteForced'), 'no session-wide mute state');

  // As in OpenTok, the publisher can turn its audio back on.
  const unmuted = propertyChange(observer, 'a', 'hasAudio');
  assert.equal((await pub.request({ type: 'updateStream', streamId: 'a', hasAudio: true }))['type'], 'ack');
  assert.deepEqual([(await unmuted).newValue, (await unmuted).reason], [true, 'publishAudio']);

  assert.equal((await call(ot, 'forceMuteStream', sessionId, 'ghost')).error?.message, 'Not Found');
});

test('forceMuteAll with excludedStreamIds (P14), streams published while active, and disableForceMute', async (t) => {
  const { h, ot, sessionId, observer, pub } = await room(t);
  const muteStates = recordEvents(observer, 'muteForced');
  const aMuted = propertyChange(observer, 'a', 'hasAudio');
  const audioChanges = recordEvents(observer, 'streamPropertyChanged');

  // Callers pass `excludedStreamIds` (the SDK validates the misspelt `excudedStreamIds` but sends the
  // object as given, adding `active: true`). `later` is excluded before it exists.
  const all = await call(ot, 'forceMuteAll', sessionId, { excludedStreamIds: ['b', 'later'] });
  assert.equal(all.error, null);
  assert.equal((await aMuted).reason, 'forceMuted');
  await pub.raw.waitFor((m) => m['type'] === 'muteForced' && m['active'] === true);
  assert.deepEqual(muteStates, [{ active: true }]);
  assert.deepEqual(audioChanges.map((e) => e.stream.streamId), ['a'], 'the excluded stream keeps its audio');
  assert.ok(!pub.raw.messages.some((m) => m['type'] === 'streamMuteForced' && m['streamId'] === 'b'));

  // A stream published while the state is active starts muted, and its publisher is told; an
  // excluded id publishes with audio.
  const late = await rawPublisher(h, sessionId);
  await late.raw.waitFor((m) => m['type'] === 'muteForced' && m['active'] === true); // told on joining
  const newcomer = h.session(sessionId);
  const told = nextEvent(newcomer, 'muteForced');
  await newcomer.connect(h.token(sessionId, { data: 'newcomer' }));
  assert.equal((await told).active, true, 'a client joining while mute-all is on gets muteForced at once');
  const lateCreated = nextEvent(observer, 'streamCreated', { where: (e) => e.stream.streamId === 'c' });
  await late.publish('c');
  assert.equal((await lateCreated).stream.hasAudio, false);
  await late.raw.waitFor((m) => m['type'] === 'streamMuteForced' && m['streamId'] === 'c');
  const excludedCreated = nextEvent(observer, 'streamCreated', { where: (e) => e.stream.streamId === 'later' });
  await late.publish('later');
  assert.equal((await excludedCreated).stream.hasAudio, true);

  const inspect = await rawHttp(h.url, { method: 'GET', path: `/v2/project/${h.apiKey}/session/${sessionId}`, headers: { 'x-opentok-auth': h.restAuth() } });
  assert.deepEqual((inspect.json as { forceMute: unknown }).forceMute, { active: true, excludedStreamIds: ['b', 'later'] });

  // disableForceMute: everyone told; later streams keep their audio; muted ones stay muted.
  const ended = nextEvent(observer, 'muteForced', { where: (e) => !e.active });
  assert.equal((await call(ot, 'disableForceMute', sessionId)).error, null);
  await ended;
  const freeCreated = nextEvent(observer, 'streamCreated', { where: (e) => e.stream.streamId === 'd' });
  await late.publish('d');
  assert.equal((await freeCreated).stream.hasAudio, true);
  assert.ok(!late.raw.messages.some((m) => m['type'] === 'streamMuteForced' && m['streamId'] === 'd'));
  const listed = (await call(ot, 'listStreams', sessionId)).values[0] as { id: string; hasAudio: boolean }[];
  assert.deepEqual(listed.map((s) => [s.id, s.hasAudio]), [['a', false], ['b', true], ['c', false], ['later', true], ['d', true]]);
});

test('P14: the SDK-documented spelling excudedStreamIds is honoured too', async (t) => {
  const { ot, sessionId, observer } = await room(t);
  const changes = recordEvents(observer, 'streamPropertyChanged');
  const state = nextEvent(observer, 'muteForced');
  assert.equal((await call(ot, 'forceMuteAll', sessionId, { excudedStreamIds: ['a'] })).error, null);
  await state;
  const listed = (await call(ot, 'listStreams', sessionId)).values[0] as { id: string; hasAudio: boolean }[];
  assert.deepEqual(listed.map((s) => [s.id, s.hasAudio]), [['a', true], ['b', false]]);
  assert.deepEqual(changes.map((e) => [e.stream.streamId, e.reason]), [['b', 'forceMuted']]);
});

test('the OpenAPI document describes the stream routes with the schemas they use', async (t) => {
  const h = await startTestServer(t);
  const doc = (await rawHttp(h.url, { method: 'GET', path: '/v1/openapi.json' })).json as {
    paths: Record<string, Record<string, { operationId: string; responses: Record<string, { content?: Record<string, unknown> }> }>>;
  };
  const p = '/v2/project/{apiKey}/session/{sessionId}';
  assert.equal(doc.paths[`${p}/stream`]?.['get']?.operationId, 'listStreams');
  assert.equal(doc.paths[`${p}/stream`]?.['put']?.operationId, 'setStreamClassLists');
  assert.equal(doc.paths[`${p}/stream/{streamId}`]?.['get']?.operationId, 'getStream');
  assert.deepEqual(Object.keys(doc.paths[`${p}/stream/{streamId}`]?.['get']?.responses['200']?.content ?? {}), ['application/vnd.vigil.stream+json']);
  assert.equal(doc.paths[`${p}/stream/{streamId}/mute`]?.['post']?.operationId, 'forceMuteStream');
  assert.equal(doc.paths[`${p}/mute`]?.['post']?.operationId, 'forceMuteAll');
});

test("a token's initialLayoutClassList (from the SDK's generateToken) is the class list its streams start with", async (t) => {
  const h = await startTestServer(t);
  const ot = createOpenTok(h.apiKey, h.apiSecret, h.url);
  const sessionId = h.newSessionId();
  const observer = await h.join(sessionId, { data: 'observer' });
  const token = ot.generateToken(sessionId, { role: 'publisher', initialLayoutClassList: ['focus', 'full'] });
  const raw = await openRawSocket(h.url, sessionId, token);
  t.after(() => raw.socket.close());
  const created = nextEvent(observer, 'streamCreated');
  raw.send(JSON.stringify({ type: 'publish', id: 1, streamId: 'f', name: 'focused', videoType: 'camera', hasAudio: true, hasVideo: true }));
  assert.deepEqual((await created).stream.layoutClassList, ['focus', 'full'], 'peers see it at creation');
  const listed = await call(ot, 'listStreams', sessionId);
  assert.deepEqual((listed.values[0] as Record<string, unknown>[]).map((s) => s['layoutClassList']), [['focus', 'full']]);
});
