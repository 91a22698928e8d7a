import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionId, randomId } from '@vigil/protocol';
import { createServer, mintClientToken, silentLogger, type VigilServer } from '@vigil/server';
import { browserClientHandler, launchChromium, MediaParticipant, startRedis, TcpBalancer, waitForMediaFlow } from '@vigil/test-kit';

/** Two in-process nodes on one real redis-server, serving the test page, and a Chromium. */
async function twoNodes(t: TestContext, mediaMode: 'routed' | 'relayed') {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const apiKey = String(47_200_000 + Math.floor(Math.random() * 99_999));
  const apiSecret = randomId(40);
  const nodes: VigilServer[] = [];
  t.after(() => Promise.all(nodes.map((n) => n.close())));
  for (let i = 0; i < 2; i += 1) {
    nodes.push(await createServer({ apiKey, apiSecret, port: 0, logger: silentLogger, redis: { url: redis.url, leaseMs: 1_000 }, httpHandler: browserClientHandler() }));
  }
  const browser = await launchChromium();
  t.after(() => browser.close());
  const sessionId = createSessionId({ apiKey, mediaMode });
  const join = (pageUrl: string, name: string) =>
    MediaParticipant.join(browser, `${pageUrl}/test-page`, { apiKey, sessionId, token: mintClientToken({ apiKey, apiSecret, sessionId, data: name }) }, { name, resolution: '320x240', frameRate: 20 });
  return { nodes: nodes as [VigilServer, VigilServer], join };
}

// Routed media in a two-node deployment (docs/scale-out.md): the session's forwarding unit runs on one
// node, recorded in Redis; a browser whose connection the load balancer gives to the other node is sent
// to the media node (SESSION_ELSEWHERE, followed by the SDK), and audio/video flow both ways.
test('routed session on two nodes: a participant landing on the other node is sent to the media node, and media flows both ways', async (t) => {
  const { nodes, join: joinAt } = await twoNodes(t, 'routed');
  const [one, two] = nodes;
  const balancer = await TcpBalancer.start([one.url, two.url]);
  t.after(() => balancer.close());
  const join = (name: string) => joinAt(balancer.url, name);

  balancer.use([one.url]);
  const ann = await join('Ann');
  balancer.use([two.url]); // Ben's page, and his first connection attempt, reach node two
  const ben = await join('Ben');

  const annStream = await ann.streamId();
  const benStream = await ben.streamId();
  assert.ok(annStream && benStream);
  const toBen = await waitForMediaFlow(ben, annStream, { soakMs: 1_000, timeoutMs: 15_000 });
  const toAnn = await waitForMediaFlow(ann, benStream, { soakMs: 1_000, timeoutMs: 15_000 });
  assert.deepEqual([one.connectionCount(), two.connectionCount()], [2, 0], 'both connections on the media node');
  const stats = one.mediaStats();
  assert.deepEqual([stats.publishers, stats.subscribers], [2, 2], 'one forwarding unit serves both');
  assert.equal(two.mediaStats().peerConnections, 0);
  t.diagnostic(`Ann→Ben ${toBen.framesPerSecond.toFixed(1)} fps, Ben→Ann ${toAnn.framesPerSecond.toFixed(1)} fps, via node one`);
});

// Relayed media in the same deployment: each participant stays on the node it landed on, stream events
// and negotiation cross nodes on the bus, and the browsers send media to each other directly.
test('relayed session on two nodes: participants on different nodes see and receive each other', async (t) => {
  const { nodes, join: joinAt } = await twoNodes(t, 'relayed');
  const [one, two] = nodes;
  const join = (node: VigilServer, name: string) => joinAt(node.url, name);

  const ann = await join(one, 'Ann');
  const ben = await join(two, 'Ben');
  const annStream = await ann.streamId();
  const benStream = await ben.streamId();
  assert.ok(annStream && benStream);
  const toBen = await waitForMediaFlow(ben, annStream, { soakMs: 1_000, timeoutMs: 15_000 });
  const toAnn = await waitForMediaFlow(ann, benStream, { soakMs: 1_000, timeoutMs: 15_000 });
  assert.deepEqual([one.connectionCount(), two.connectionCount()], [1, 1], 'each on its own node');
  assert.equal(one.mediaStats().peerConnections + two.mediaStats().peerConnections, 0, 'no forwarding unit: peer to peer');
  t.diagnostic(`Ann (node one) → Ben (node two) ${toBen.framesPerSecond.toFixed(1)} fps, Ben → Ann ${toAnn.framesPerSecond.toFixed(1)} fps`);
});
