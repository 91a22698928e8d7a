import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openRawSocket, openRawSocketWith, waitUntil, type ClusterNode, type RawSocket } from '@vigil/test-kit';
import { mintProjectJwt } from '@vigil/server';
import { deploy, type Deployment } from './cluster-harness.js';

// Relayed sessions spread over nodes (issue 9, docs/scale-out.md): stream events reach every member
// whichever node they are on, and a subscriber on one node negotiates with a publisher on another
// through the nodes' bus. Raw sockets, so every frame each side gets is visible.

const SDP = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=rtpmap:111 opus/48000/2', ''].join('\r\n');
const CANDIDATE = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };

let nextId = 1;

interface Client {
  raw: RawSocket;
  id: string;
  welcome: Record<string, unknown>;
  request(body: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** The first message from now on that matches. */
  next(match: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Messages of `type` received so far. */
  all(type: string): Record<string, unknown>[];
}

async function client(d: Deployment, node: ClusterNode, name: string): Promise<Client> {
  const raw = await openRawSocket(node.url, d.sessionId, d.token(name));
  const welcome = await raw.waitFor((m) => m['type'] === 'welcome');
  // Heartbeats, as the SDK sends them, so a quiet client is not taken for gone (and confirms what it got).
  const beat = setInterval(() => raw.send(JSON.stringify({ type: 'ping', rx: raw.messages.length - 1 })), 2_000);
  void raw.closed.then(() => clearInterval(beat));
  beat.unref();
  return {
    raw,
    welcome,
    id: (welcome['connection'] as { id: string }).id,
    async request(body) {
      const id = (nextId += 1);
      raw.send(JSON.stringify({ ...body, id }));
      return raw.waitFor((m) => m['id'] === id && (m['type'] === 'ack' || m['type'] === 'error'));
    },
    next: (match, timeoutMs = 5_000) => raw.waitFor(match, timeoutMs, raw.messages.length),
    all: (type) => raw.messages.filter((m) => m['type'] === type),
  };
}

const publish = (streamId: string) => ({ type: 'publish', streamId, name: 'cam', videoType: 'camera', hasAudio: true, hasVideo: true });
const streamIds = (welcome: Record<string, unknown>) => (welcome['streams'] as { id: string }[]).map((s) => s.id);

test('relayed session on two nodes: stream events cross, and a subscriber negotiates with a publisher on the other node', async (t) => {
  const d = await deploy(t, 3); // node three holds nobody: it answers REST from Redis
  const [one, two, three] = d.nodes as [ClusterNode, ClusterNode, ClusterNode];
  const alice = await client(d, one, 'alice');
  const bob = await client(d, two, 'bob');
  const carol = await client(d, two, 'carol');

  const bobSees = bob.next((m) => m['type'] === 'streamCreated');
  assert.equal((await alice.request(publish('a-cam')))['type'], 'ack');
  const created = await bobSees;
  assert.equal((created['stream'] as { connectionId: string }).connectionId, alice.id);
  await waitUntil(() => carol.all('streamCreated').length === 1, 'carol sees the stream too');
  const late = await client(d, two, 'dan');
  assert.deepEqual(streamIds(late.welcome), ['a-cam'], "a joiner's welcome on the other node lists it");
  // REST listStreams/getStream from any node, the one holding nobody included.
  const auth = { 'x-opentok-auth': mintProjectJwt(d.apiKey, d.apiSecret) };
  for (const node of [one, two, three]) {
    const base = `${node.url}/v2/project/${d.apiKey}/session/${encodeURIComponent(d.sessionId)}/stream`;
    const list = (await (await fetch(base, { headers: auth })).json()) as { count: number; items: { id: string; connectionId: string }[] };
    assert.deepEqual([list.count, list.items[0]?.id, list.items[0]?.connectionId], [1, 'a-cam', alice.id], `listStreams on ${node.url}`);
    const one_ = await fetch(`${base}/a-cam`, { headers: auth });
    assert.equal(one_.status, 200);
    assert.equal(((await one_.json()) as { id: string }).id, 'a-cam');
    assert.equal((await fetch(`${base}/nope`, { headers: auth })).status, 404);
  }

  // Subscribe from node two: ack there, subscriptionCreated at the publisher on node one.
  const announced = alice.next((m) => m['type'] === 'subscriptionCreated');
  assert.equal((await bob.request({ type: 'subscribe', streamId: 'a-cam', subscriptionId: 'b1' }))['type'], 'ack');
  const { type, subscriptionId, streamId, connectionId, subscribeToAudio, subscribeToVideo } = await announced;
  assert.deepEqual([type, subscriptionId, streamId, connectionId, subscribeToAudio, subscribeToVideo], ['subscriptionCreated', 'b1', 'a-cam', bob.id, true, true]);
  assert.equal((await bob.request({ type: 'subscribe', streamId: 'a-cam', subscriptionId: 'b1' }))['code'], 'SUBSCRIPTION_ALREADY_EXISTS');

  // Offer, answer and candidates, both ways.
  const offer = bob.next((m) => m['type'] === 'sdp');
  assert.equal((await alice.request({ type: 'sdp', streamId: 'a-cam', subscriptionId: 'b1', sdpType: 'offer', sdp: SDP }))['type'], 'ack');
  assert.deepEqual([(await offer)['sdpType'], (await offer)['subscriptionId'], (await offer)['sdp']], ['offer', 'b1', SDP]);
  const answer = alice.next((m) => m['type'] === 'sdp');
  assert.equal((await bob.request({ type: 'sdp', streamId: 'a-cam', subscriptionId: 'b1', sdpType: 'answer', sdp: SDP }))['type'], 'ack');
  assert.equal((await answer)['sdpType'], 'answer');
  const toBob = bob.next((m) => m['type'] === 'ice');
  await alice.request({ type: 'ice', streamId: 'a-cam', subscriptionId: 'b1', candidate: CANDIDATE });
  assert.deepEqual((await toBob)['candidate'], CANDIDATE);
  const toAlice = alice.next((m) => m['type'] === 'ice');
  await bob.request({ type: 'ice', streamId: 'a-cam', subscriptionId: 'b1', candidate: CANDIDATE });
  assert.equal((await toAlice)['subscriptionId'], 'b1');

  // Wrong parties stay refused across nodes.
  assert.equal((await bob.request({ type: 'sdp', streamId: 'a-cam', subscriptionId: 'b1', sdpType: 'offer', sdp: SDP }))['code'], 'SDP_INVALID');
  assert.equal((await carol.request({ type: 'sdp', streamId: 'a-cam', subscriptionId: 'b1', sdpType: 'answer', sdp: SDP }))['code'], 'STREAM_NOT_FOUND');
  assert.equal((await alice.request({ type: 'sdp', streamId: 'a-cam', subscriptionId: 'nobody', sdpType: 'offer', sdp: SDP }))['code'], 'SUBSCRIPTION_NOT_FOUND');
  assert.equal((await carol.request({ type: 'unsubscribe', streamId: 'a-cam', subscriptionId: 'b1' }))['code'], 'SUBSCRIPTION_NOT_FOUND');

  // The subscriber turns audio off: its own subscriberMedia, and the publisher is told.
  const changed = alice.next((m) => m['type'] === 'subscriptionChanged');
  const ownMedia = bob.next((m) => m['type'] === 'subscriberMedia');
  await bob.request({ type: 'updateSubscription', streamId: 'a-cam', subscriptionId: 'b1', subscribeToAudio: false });
  assert.deepEqual([(await changed)['subscribeToAudio'], (await changed)['subscribeToVideo']], [false, true]);
  assert.deepEqual([(await ownMedia)['kind'], (await ownMedia)['enabled'], (await ownMedia)['reason']], ['audio', false, 'subscribeToAudio']);

  // The publisher turns video off: everyone gets the property change, the subscriber its subscriberMedia.
  const property = carol.next((m) => m['type'] === 'streamPropertyChanged');
  const media = bob.next((m) => m['type'] === 'subscriberMedia');
  await alice.request({ type: 'updateStream', streamId: 'a-cam', hasVideo: false, reason: 'background' });
  assert.deepEqual([(await property)['changedProperty'], (await property)['newValue'], (await property)['reason']], ['hasVideo', false, 'background']);
  assert.deepEqual([(await media)['kind'], (await media)['enabled'], (await media)['reason']], ['video', false, 'background']);
  const later = await client(d, two, 'erin');
  assert.equal((later.welcome['streams'] as { hasVideo: boolean }[])[0]?.hasVideo, false, 'the record in Redis follows the change');
  assert.equal(carol.all('subscriberMedia').length, 0, 'only subscribers get subscriberMedia');

  // Unsubscribe; subscribe again and leave: the publisher is told each time.
  const ended = alice.next((m) => m['type'] === 'subscriptionDestroyed');
  assert.equal((await bob.request({ type: 'unsubscribe', streamId: 'a-cam', subscriptionId: 'b1' }))['type'], 'ack');
  assert.equal((await ended)['subscriptionId'], 'b1');
  await bob.request({ type: 'subscribe', streamId: 'a-cam', subscriptionId: 'b2' });
  await alice.next((m) => m['type'] === 'subscriptionCreated' && m['subscriptionId'] === 'b2');
  const leftWith = alice.next((m) => m['type'] === 'subscriptionDestroyed');
  await bob.request({ type: 'disconnect' });
  assert.equal((await leftWith)['subscriptionId'], 'b2');

  // Unpublish: streamDestroyed on the other node; the next joiner sees no stream.
  const gone = carol.next((m) => m['type'] === 'streamDestroyed');
  await alice.request({ type: 'unpublish', streamId: 'a-cam' });
  assert.equal((await gone)['reason'], 'unpublished');
  const last = await client(d, two, 'fay');
  assert.deepEqual(streamIds(last.welcome), []);
  assert.equal(carol.all('streamCreated').length, 1, 'one streamCreated');
  assert.equal(carol.all('streamDestroyed').length, 1, 'one streamDestroyed');
});

test('nodes killed: past their grace, a dead subscriber node\'s member ends its subscriptions at the publisher; a dead publisher node\'s member ends its streams before itself', async (t) => {
  // A dead node's members wait out their grace for their clients (which never come back here).
  const d = await deploy(t, 3, () => ['--network-grace-ms', '7000', '--suspend-grace-ms', '9000']);
  const [one, two, three] = d.nodes as [ClusterNode, ClusterNode, ClusterNode];
  const alice = await client(d, one, 'alice');
  await alice.request(publish('a-cam'));
  const bob = await client(d, two, 'bob');
  const carol = await client(d, three, 'carol');
  assert.deepEqual(streamIds(bob.welcome), ['a-cam']);
  assert.deepEqual(streamIds(carol.welcome), ['a-cam']);
  await bob.request({ type: 'subscribe', streamId: 'a-cam', subscriptionId: 'b1' });
  await alice.next((m) => m['type'] === 'subscriptionCreated');

  const ended = alice.next((m) => m['type'] === 'subscriptionDestroyed', 25_000);
  await two.kill();
  assert.equal((await ended)['subscriptionId'], 'b1', "a survivor's reap tells the publisher's node");

  const order: string[] = [];
  carol.raw.socket.on('message', (data) => {
    const m = JSON.parse(data.toString()) as Record<string, unknown>;
    if (m['type'] === 'streamDestroyed' || (m['type'] === 'connectionDestroyed' && m['connectionId'] === alice.id)) {
      order.push(`${String(m['type'])}:${String(m['reason'])}`);
    }
  });
  await one.kill();
  await waitUntil(() => order.length >= 2, "carol hears alice's stream and alice go", 25_000);
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // another lease: a second reap would show
  assert.deepEqual(order, ['streamDestroyed:networkDisconnected', 'connectionDestroyed:networkDisconnected']);
  const late = await client(d, three, 'dan');
  assert.deepEqual(streamIds(late.welcome), [], 'no stream left behind by the dead node');
  assert.equal((await late.request({ type: 'subscribe', streamId: 'a-cam', subscriptionId: 'd1' }))['code'], 'STREAM_NOT_FOUND');
});

test('a publisher whose node died rejoins elsewhere: its old connection and stream end at once, not when their grace runs out', async (t) => {
  const d = await deploy(t, 2); // default graces: a minute
  const [one, two] = d.nodes as [ClusterNode, ClusterNode];
  const alice = await client(d, one, 'alice');
  await alice.request(publish('a-cam'));
  const carol = await client(d, two, 'carol');
  assert.deepEqual(streamIds(carol.welcome), ['a-cam']);
  const streamGone = carol.next((m) => m['type'] === 'streamDestroyed', 15_000);
  const aliceGone = carol.next((m) => m['type'] === 'connectionDestroyed' && m['connectionId'] === alice.id, 15_000);

  await one.kill();
  // Her SDK tries to resume first; it is refused once node one's lease has run out (she published through
  // the dead node), and she rejoins naming her old connection.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const again = await openRawSocketWith(two.url, { sessionId: d.sessionId, token: d.token('alice'), previous: alice.id, previousToken: String(alice.welcome['resumeToken']) });
  t.after(() => again.socket.close());
  await again.waitFor((m) => m['type'] === 'welcome');
  const started = Date.now();
  assert.deepEqual([(await streamGone)['streamId'], (await streamGone)['reason']], ['a-cam', 'networkDisconnected']);
  assert.equal((await aliceGone)['reason'], 'networkDisconnected');
  assert.ok(Date.now() - started < 15_000, 'well before the minute of grace');
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.equal(carol.all('connectionDestroyed').filter((m) => m['connectionId'] === alice.id).length, 1, 'once');
  assert.equal(carol.all('streamDestroyed').length, 1);
});

test('a subscribe across nodes made while Redis is away reaches the publisher once Redis is back', async (t) => {
  const d = await deploy(t, 2);
  const [one, two] = d.nodes as [ClusterNode, ClusterNode];
  const alice = await client(d, one, 'alice');
  await alice.request(publish('a-cam'));
  const bob = await client(d, two, 'bob');
  assert.deepEqual(streamIds(bob.welcome), ['a-cam']);

  await d.redis.halt();
  await waitUntil(async () => (await fetch(`${two.url}/readyz`)).status === 503, 'node two knows Redis is away', 10_000);
  const announced = alice.next((m) => m['type'] === 'subscriptionCreated', 30_000);
  assert.equal((await bob.request({ type: 'subscribe', streamId: 'a-cam', subscriptionId: 'b1' }))['type'], 'ack', 'accepted: node two knows the stream');
  await d.redis.start(); // empty: the nodes assert their members and streams again, then send what waited
  assert.deepEqual([(await announced)['subscriptionId'], (await announced)['connectionId']], ['b1', bob.id]);
  const offer = bob.next((m) => m['type'] === 'sdp');
  await alice.request({ type: 'sdp', streamId: 'a-cam', subscriptionId: 'b1', sdpType: 'offer', sdp: SDP });
  assert.equal((await offer)['sdpType'], 'offer', 'and negotiation goes on');
});
