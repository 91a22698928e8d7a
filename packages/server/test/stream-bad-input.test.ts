import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MediaMode, Role } from '@vigil/protocol';
import { openRawSocket, startTestServer, type RawSocket, type TestServer } from '@vigil/test-kit';

// Bad input about streams, from raw sockets: each case gets its own clear error code, and the server,
// the session and the other streams carry on.

const SDP = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=rtpmap:111 opus/48000/2', ''].join('\r\n');

let nextId = 1000;

interface Client {
  raw: RawSocket;
  id: string;
  request(body: Record<string, unknown>): Promise<Record<string, unknown>>;
}

async function client(h: TestServer, sessionId: string, role: Role = 'publisher'): Promise<Client> {
  const raw = await openRawSocket(h.url, sessionId, h.token(sessionId, { role }));
  const welcome = await raw.waitFor((m) => m['type'] === 'welcome');
  const id = (welcome['connection'] as { id: string }).id;
  return {
    raw,
    id,
    async request(body) {
      nextId += 1;
      const requestId = nextId;
      raw.send(JSON.stringify({ ...body, id: requestId }));
      return raw.waitFor((m) => m['id'] === requestId && (m['type'] === 'ack' || m['type'] === 'error'));
    },
  };
}

function publishBody(streamId: string): Record<string, unknown> {
  return { type: 'publish', streamId, name: 'cam', videoType: 'camera', hasAudio: true, hasVideo: true };
}

async function setup(mediaMode: MediaMode, options: Parameters<typeof startTestServer>[1] = {}) {
  return async (t: Parameters<typeof startTestServer>[0]) => {
    const h = await startTestServer(t, options);
    const sessionId = h.newSessionId(mediaMode);
    return { h, sessionId };
  };
}

test('publishing: subscriber role, twice, over the cap, bad fields: a clear error each, other streams unaffected', async (t) => {
  const { h, sessionId } = await (await setup('relayed', { maxStreamsPerConnection: 2 }))(t);
  const bystander = await client(h, sessionId);
  assert.equal((await bystander.request(publishBody('steady')))['type'], 'ack');
  const pub = await client(h, sessionId);
  const viewer = await client(h, sessionId, 'subscriber');

  const cases: [Client, Record<string, unknown>, string][] = [
    [viewer, publishBody('v1'), 'NOT_PERMITTED'],
    [pub, publishBody('steady'), 'STREAM_ALREADY_PUBLISHED'],
    [pub, { ...publishBody('x1'), videoType: 'hologram' }, 'MESSAGE_INVALID'],
    [pub, { ...publishBody('x2'), name: 'n'.repeat(300) }, 'MESSAGE_INVALID'],
    [pub, { ...publishBody('x3'), videoDimensions: { width: 0, height: 10 } }, 'MESSAGE_INVALID'],
    [pub, { ...publishBody('x4'), streamId: '../etc' }, 'MESSAGE_INVALID'],
    [pub, { type: 'unpublish', streamId: 'ghost' }, 'STREAM_NOT_FOUND'],
    [pub, { type: 'unpublish', streamId: 'steady' }, 'NOT_PERMITTED'],
    [pub, { type: 'updateStream', streamId: 'steady', hasVideo: false }, 'NOT_PERMITTED'],
  ];
  for (const [who, body, code] of cases) {
    const reply = await who.request(body);
    assert.equal(reply['code'], code, JSON.stringify(body).slice(0, 80));
  }
  assert.equal((await pub.request(publishBody('p1')))['type'], 'ack');
  assert.equal((await pub.request(publishBody('p2')))['type'], 'ack');
  assert.equal((await pub.request(publishBody('p3')))['code'], 'STREAM_LIMIT_REACHED');
  // Unpublishing makes room again.
  assert.equal((await pub.request({ type: 'unpublish', streamId: 'p1' }))['type'], 'ack');
  assert.equal((await pub.request(publishBody('p3')))['type'], 'ack');

  // The bystander's stream is still there: a newcomer's welcome lists it, with the others.
  const late = await openRawSocket(h.url, sessionId, h.token(sessionId));
  const welcome = await late.waitFor((m) => m['type'] === 'welcome');
  assert.deepEqual((welcome['streams'] as { id: string }[]).map((s) => s.id), ['steady', 'p2', 'p3']);
  assert.deepEqual(welcome['iceServers'], []);
});

test('subscribing and signalling: gone streams, unknown subscriptions, wrong parties, hostile SDP', async (t) => {
  const { h, sessionId } = await (await setup('relayed'))(t);
  const pub = await client(h, sessionId);
  const sub = await client(h, sessionId);
  const other = await client(h, sessionId);
  const only = await client(h, sessionId, 'publisheronly');
  await pub.request(publishBody('s1'));
  await pub.request(publishBody('gone'));
  await pub.request({ type: 'unpublish', streamId: 'gone' });
  assert.equal((await sub.request({ type: 'subscribe', streamId: 's1', subscriptionId: 'a' }))['type'], 'ack');
  const offer = { type: 'sdp', streamId: 's1', subscriptionId: 'a', sdpType: 'offer', sdp: SDP };

  const cases: [Client, Record<string, unknown>, string][] = [
    [sub, { type: 'subscribe', streamId: 'gone', subscriptionId: 'b' }, 'STREAM_NOT_FOUND'],
    [sub, { type: 'subscribe', streamId: 's1', subscriptionId: 'a' }, 'SUBSCRIPTION_ALREADY_EXISTS'],
    [pub, { type: 'subscribe', streamId: 's1', subscriptionId: 'self' }, 'NOT_PERMITTED'],
    [only, { type: 'subscribe', streamId: 's1', subscriptionId: 'c' }, 'NOT_PERMITTED'],
    [sub, { type: 'unsubscribe', streamId: 's1', subscriptionId: 'nope' }, 'SUBSCRIPTION_NOT_FOUND'],
    [other, { type: 'unsubscribe', streamId: 's1', subscriptionId: 'a' }, 'SUBSCRIPTION_NOT_FOUND'],
    [other, { type: 'updateSubscription', streamId: 's1', subscriptionId: 'a', subscribeToVideo: false }, 'SUBSCRIPTION_NOT_FOUND'],
    [pub, { ...offer, streamId: 'gone' }, 'STREAM_NOT_FOUND'],
    [pub, { ...offer, subscriptionId: 'nope' }, 'SUBSCRIPTION_NOT_FOUND'],
    [other, { ...offer, sdpType: 'answer' }, 'SUBSCRIPTION_NOT_FOUND'],
    [sub, offer, 'SDP_INVALID'],
    [pub, { ...offer, subscriptionId: undefined }, 'REQUEST_INVALID'],
    [pub, { ...offer, sdp: 'hello' }, 'SDP_INVALID'],
    [pub, { ...offer, sdp: `${SDP}a=x\u0000y\r\n` }, 'SDP_INVALID'],
    [pub, { ...offer, sdp: `${SDP}\u001b[2J\r\n` }, 'SDP_INVALID'],
    [pub, { ...offer, sdp: SDP.replace('m=audio', 'm=application') }, 'SDP_INVALID'],
    [pub, { ...offer, sdp: SDP.replace(/m=audio.*\r\n/, '') }, 'SDP_INVALID'],
    [pub, { ...offer, sdp: `${SDP}${'a=x\r\n'.repeat(5000)}` }, 'SDP_INVALID'],
    [pub, { ...offer, sdp: `${SDP}a=${'é'.repeat(33_000)}\r\n` }, 'SDP_TOO_LARGE'],
    [pub, { ...offer, sdp: 'v'.repeat(70_000) }, 'MESSAGE_INVALID'],
  ];
  for (const [who, body, code] of cases) {
    const reply = await who.request(body);
    assert.equal(reply['code'], code, `${code}: ${JSON.stringify(body).slice(0, 100)}`);
  }
  // Candidates for what has gone are dropped without an error (they cross streamDestroyed all the time).
  const before = pub.raw.messages.length;
  pub.raw.send(JSON.stringify({ type: 'ice', streamId: 'gone', subscriptionId: 'a', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } }));
  // The good path still works for everyone: the offer reaches the subscriber verbatim, the answer comes back.
  assert.equal((await pub.request(offer))['type'], 'ack');
  const delivered = await sub.raw.waitFor((m) => m['type'] === 'sdp');
  assert.deepEqual(delivered, { type: 'sdp', streamId: 's1', subscriptionId: 'a', sdpType: 'offer', sdp: SDP });
  assert.equal((await sub.request({ ...offer, sdpType: 'answer' }))['type'], 'ack');
  assert.equal((await pub.raw.waitFor((m) => m['type'] === 'sdp', 5_000, before))['sdpType'], 'answer');
  assert.ok(!pub.raw.messages.slice(before).some((m) => m['type'] === 'error'), 'no error for the stray candidate');
});

test('routed: an SDP the media engine cannot use is SDP_INVALID; the publisher may try again, others unaffected', async (t) => {
  const { h, sessionId } = await (await setup('routed'))(t);
  const pub = await client(h, sessionId);
  const watcher = await client(h, sessionId);
  await pub.request(publishBody('r1'));
  const bad = { type: 'sdp', streamId: 'r1', sdpType: 'offer', sdp: SDP };
  const reply = await pub.request(bad);
  assert.equal(reply['code'], 'SDP_INVALID');
  assert.deepEqual(h.server.mediaStats().peerConnections, 0, 'the failed attempt left nothing behind');
  assert.equal((await pub.request({ ...bad, sdpType: 'answer' }))['code'], 'SDP_INVALID');
  assert.equal((await watcher.request({ ...bad, sdpType: 'answer' }))['code'], 'STREAM_NOT_FOUND');
  // Not announced (never connected): nobody can subscribe to it yet.
  assert.equal((await watcher.request({ type: 'subscribe', streamId: 'r1', subscriptionId: 'w' }))['code'], 'STREAM_NOT_FOUND');
  assert.ok(!watcher.raw.messages.some((m) => m['type'] === 'streamCreated'));
  // The server is fine: signals still flow.
  const from = watcher.raw.messages.length;
  await pub.request({ type: 'signal', data: 'still here' });
  await watcher.raw.waitFor((m) => m['type'] === 'signal' && m['data'] === 'still here', 5_000, from);
});

test('a leaving publisher: streamDestroyed with its reason, then connectionDestroyed; its subscriptions end', async (t) => {
  const { h, sessionId } = await (await setup('relayed'))(t);
  const pub = await client(h, sessionId);
  const sub = await client(h, sessionId);
  await pub.request(publishBody('s1'));
  await sub.request(publishBody('s2'));
  await sub.request({ type: 'subscribe', streamId: 's1', subscriptionId: 'x' });
  await pub.request({ type: 'subscribe', streamId: 's2', subscriptionId: 'y' });
  const created = await pub.raw.waitFor((m) => m['type'] === 'subscriptionCreated');
  assert.deepEqual(created, { type: 'subscriptionCreated', subscriptionId: 'x', streamId: 's1', connectionId: sub.id, subscribeToAudio: true, subscribeToVideo: true });
  const from = sub.raw.messages.length;
  await pub.request({ type: 'disconnect' });
  await sub.raw.waitFor((m) => m['type'] === 'connectionDestroyed', 5_000, from);
  const seen = sub.raw.messages.slice(from).filter((m) => ['streamDestroyed', 'connectionDestroyed', 'subscriptionDestroyed'].includes(m['type'] as string));
  assert.deepEqual(seen, [
    { type: 'streamDestroyed', streamId: 's1', reason: 'clientDisconnected' },
    { type: 'subscriptionDestroyed', subscriptionId: 'y', streamId: 's2' },
    { type: 'connectionDestroyed', connectionId: pub.id, reason: 'clientDisconnected' },
  ]);
  // The stream is gone for good.
  assert.equal((await sub.request({ type: 'subscribe', streamId: 's1', subscriptionId: 'z' }))['code'], 'STREAM_NOT_FOUND');
});

test('the welcome carries the configured ICE servers', async (t) => {
  const iceServers = [{ urls: ['stun:stun.example.net:3478'] }, { urls: 'turn:turn.example.net:3478', username: 'u', credential: 'p' }];
  const { h, sessionId } = await (await setup('relayed', { iceServers }))(t);
  const raw = await openRawSocket(h.url, sessionId, h.token(sessionId));
  const welcome = await raw.waitFor((m) => m['type'] === 'welcome');
  assert.deepEqual(welcome['iceServers'], iceServers);
  assert.deepEqual(welcome['streams'], []);
});

test('routed: mangled versions of a real offer each get ack or SDP_INVALID, and the server keeps working', async (t) => {
  const { RTCPeerConnection, MediaStreamTrack } = await import('werift');
  const { h, sessionId } = await (await setup('routed'))(t);
  const pub = await client(h, sessionId);
  const source = new RTCPeerConnection({ iceServers: [], iceUseIpv6: false, bundlePolicy: 'max-bundle' });
  t.after(() => source.close());
  source.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
  source.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
  await source.setLocalDescription(await source.createOffer());
  const real = source.localDescription?.sdp ?? '';
  const mangle: [string, (sdp: string) => string][] = [
    ['no fingerprint', (s) => s.replace(/a=fingerprint.*\r\n/g, '')],
    ['bad fingerprint', (s) => s.replace(/a=fingerprint:(\S+) .*\r\n/g, 'a=fingerprint:$1 ZZ:ZZ\r\n')],
    ['no ice credentials', (s) => s.replace(/a=ice-(ufrag|pwd).*\r\n/g, '')],
    ['huge payload types', (s) => s.replace(/(m=\w+ \d+ \S+)( \d+)+/g, '$1 999 -1 65536')],
    ['garbage rtpmap', (s) => s.replace(/a=rtpmap:(\d+) .*\r\n/g, 'a=rtpmap:$1 \r\n')],
    ['garbage candidates', (s) => s.replace(/(a=mid.*\r\n)/, '$1a=candidate:x y z\r\na=ssrc:99999999999 cname:\r\n')],
    ['duplicate mids', (s) => s.replace(/a=mid:\S+/g, 'a=mid:0')],
    ['sendrecv', (s) => s.replace(/a=sendonly/g, 'a=sendrecv')],
    ['inactive', (s) => s.replace(/a=sendonly/g, 'a=inactive')],
  ];
  for (const [name, fn] of mangle) {
    const streamId = `m${mangle.findIndex(([n]) => n === name)}`;
    await pub.request(publishBody(streamId));
    const reply = await pub.request({ type: 'sdp', streamId, sdpType: 'offer', sdp: fn(real) });
    assert.ok(reply['type'] === 'ack' || reply['code'] === 'SDP_INVALID', `${name}: ${JSON.stringify(reply)}`);
    await pub.request({ type: 'unpublish', streamId });
  }
  // The untouched offer is accepted: an answer comes back and the stream is announced.
  await pub.request(publishBody('good'));
  const from = pub.raw.messages.length;
  assert.equal((await pub.request({ type: 'sdp', streamId: 'good', sdpType: 'offer', sdp: real }))['type'], 'ack');
  const answer = await pub.raw.waitFor((m) => m['type'] === 'sdp', 5_000, from);
  assert.equal(answer['sdpType'], 'answer');
  assert.match(answer['sdp'] as string, /a=candidate:.* 127\.0\.0\.1 /);
  await pub.raw.waitFor((m) => m['type'] === 'streamCreated', 5_000, from);
  await pub.request({ type: 'unpublish', streamId: 'good' });
  const stats = h.server.mediaStats();
  assert.deepEqual([stats.publishers, stats.peerConnections, stats.tracks], [0, 0, 0]);
});
