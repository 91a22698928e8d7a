import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionId } from '@vigil/protocol';
import { mintProjectJwt } from '@vigil/server';
import { callSdkMethod, createOpenTok, nextEvent, openRawSocketWith, TcpBalancer, waitUntil, type ClusterNode } from '@vigil/test-kit';
import { deploy, idOf, joinThroughBalancer } from './cluster-harness.js';
import { acrossTwoNodes, nodeKilledMidTraffic, storeOutage } from './cluster-scenarios.js';

test('two nodes, one session: presence both ways, signals in per-sender order exactly once, targeted across nodes', async (t) => {
  await acrossTwoNodes(await deploy(t, 2));
});

test('REST on a node that holds nobody: signal and forceDisconnect reach the members on other nodes', async (t) => {
  const d = await deploy(t, 2);
  const [one, two] = d.nodes as [ClusterNode, ClusterNode];
  const alice = await d.join(one.url, 'alice');
  const carol = await d.join(one.url, 'carol');
  const rest = (path: string, init: { method: string; body?: unknown }) =>
    fetch(`${two.url}/v2/project/${d.apiKey}/session/${encodeURIComponent(d.sessionId)}${path}`, {
      method: init.method,
      headers: { 'x-opentok-auth': mintProjectJwt(d.apiKey, d.apiSecret), 'content-type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });

  const heard = nextEvent(alice, 'signal:news');
  const carolHeard = nextEvent(carol, 'signal:news');
  assert.equal((await rest('/signal', { method: 'POST', body: { type: 'news', data: 'to all' } })).status, 204);
  assert.equal((await heard).data, 'to all');
  assert.equal((await carolHeard).from, null, 'from the app server');

  const one1 = nextEvent(carol, 'signal:only');
  assert.equal((await rest(`/connection/${idOf(carol)}/signal`, { method: 'POST', body: { type: 'only', data: 'carol' } })).status, 204);
  assert.equal((await one1).data, 'carol');

  const unknown = await rest('/connection/nobody/signal', { method: 'POST', body: { data: 'x' } });
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { code: string }).code, 'CONNECTION_NOT_FOUND');
  const empty = await fetch(`${two.url}/v2/project/${d.apiKey}/session/${encodeURIComponent(createSessionId({ apiKey: d.apiKey, mediaMode: 'relayed' }))}/signal`, {
    method: 'POST',
    headers: { 'x-opentok-auth': mintProjectJwt(d.apiKey, d.apiSecret), 'content-type': 'application/json' },
    body: JSON.stringify({ data: 'x' }),
  });
  assert.equal(empty.status, 404, 'a session nobody is in, on any node');

  const out = nextEvent(alice, 'sessionDisconnected');
  const seen = nextEvent(carol, 'connectionDestroyed');
  assert.equal((await rest(`/connection/${idOf(alice)}`, { method: 'DELETE' })).status, 204);
  assert.equal((await out).reason, 'forceDisconnected');
  assert.equal((await seen).reason, 'forceDisconnected');
});

test('a node killed: its clients resume on the survivors with the same id; members whose clients never return are ended once, after their grace', async (t) => {
  const d = await deploy(t, 3, () => ['--network-grace-ms', '7000', '--suspend-grace-ms', '9000']);
  const [one, two, three] = d.nodes as [ClusterNode, ClusterNode, ClusterNode];
  const { session: alice } = await joinThroughBalancer(t, d, 'alice'); // to node two or three when node one dies
  // Two more members on node one whose clients never come back; erin had gone to the background.
  const dave = await openRawSocketWith(one.url, { sessionId: d.sessionId, token: d.token('dave') });
  const daveId = ((await dave.waitFor((m) => m['type'] === 'welcome'))['connection'] as { id: string }).id;
  const erin = await openRawSocketWith(one.url, { sessionId: d.sessionId, token: d.token('erin') });
  const erinId = ((await erin.waitFor((m) => m['type'] === 'welcome'))['connection'] as { id: string }).id;
  erin.send(JSON.stringify({ type: 'lifecycle', state: 'background', reason: 'test' }));
  const bob = await d.join(two.url, 'bob');
  const carol = await d.join(three.url, 'carol');
  await waitUntil(() => bob.connections.find((c) => c.connectionId === erinId)?.state === 'background', 'bob sees erin in the background');
  const aliceId = idOf(alice);
  const names = new Map([[aliceId, 'alice'], [daveId, 'dave'], [erinId, 'erin']]);
  const destroyed: string[] = [];
  for (const survivor of [bob, carol]) {
    survivor.on('connectionDestroyed', ({ connection, reason }) => destroyed.push(`${survivor.connection?.data}<-${names.get(connection.connectionId) ?? connection.connectionId}:${reason}`));
  }
  const resumed = nextEvent(alice, 'sessionReconnected', { timeoutMs: 30_000 });

  await one.kill();
  // While she is away, a stream is published on node two: her takeover must replay it from the log.
  const frank = await openRawSocketWith(two.url, { sessionId: d.sessionId, token: d.token('frank') });
  t.after(() => frank.socket.close());
  await frank.waitFor((m) => m['type'] === 'welcome');
  const streamSeen = nextEvent(alice, 'streamCreated', { timeoutMs: 30_000 });
  frank.send(JSON.stringify({ type: 'publish', id: 1, streamId: 'frank-cam', name: 'cam', videoType: 'camera', hasAudio: true, hasVideo: true }));
  await frank.waitFor((m) => m['type'] === 'ack' && m['id'] === 1);
  const event = await resumed;
  assert.equal(event.rejoined, false, 'resumed, not rejoined');
  assert.equal(idOf(alice), aliceId, 'same connection id on its new node');
  assert.equal((await streamSeen).stream.streamId, 'frank-cam', 'a stream published while she was away reaches her');
  names.set(((await frank.waitFor((m) => m['type'] === 'welcome'))['connection'] as { id: string }).id, 'frank');
  frank.socket.close();
  const direct = nextEvent(alice, 'signal:back');
  await carol.signal({ type: 'back', data: 'welcome back', to: alice.connection! });
  assert.equal((await direct).data, 'welcome back');
  const heard = nextEvent(bob, 'signal:hello');
  await alice.signal({ type: 'hello', data: 'from my new node' });
  assert.equal((await heard).from?.connectionId, aliceId);

  await waitUntil(() => destroyed.filter((e) => !e.includes('frank')).length >= 4, "the survivors end dave and erin when their grace is over", 20_000);
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // another lease length: a second reap would show
  assert.deepEqual(destroyed.filter((e) => !e.includes('frank')).sort(), ['bob<-dave:networkDisconnected', 'bob<-erin:suspended', 'carol<-dave:networkDisconnected', 'carol<-erin:suspended']);
  await waitUntil(() => [bob, carol, alice].every((s) => !s.connections.some((c) => c.data === 'frank')), 'frank left', 15_000);
  for (const survivor of [bob, carol, alice]) {
    assert.deepEqual(survivor.connections.map((c) => c.data).sort(), ['alice', 'bob', 'carol'], `${survivor.connection?.data}: no ghost, alice still there`);
  }
  assert.equal(bob.connections.find((c) => c.connectionId === aliceId)?.state, 'active', 'alice is active again for her peers');
});

test('Redis stopped and restarted: local members stay up, /readyz reports it, cross-node delivery recovers', async (t) => {
  await storeOutage(await deploy(t, 2));
});

test('routed sessions: the forwarding unit lives on one node (recorded in Redis); joiners landing elsewhere are sent there', async (t) => {
  const d = await deploy(t, 2);
  const [one, two] = d.nodes as [ClusterNode, ClusterNode];
  const balancer = await TcpBalancer.start([one.url, two.url]);
  t.after(() => balancer.close());
  const routed = createSessionId({ apiKey: d.apiKey, mediaMode: 'routed' });
  const join = async (url: string, data: string, sessionId: string) => {
    const session = d.session(url, sessionId);
    await session.connect(d.token(data, sessionId));
    return session;
  };
  /** Connections each node holds (all sessions), from its own /metrics. */
  const held = async (): Promise<number[]> =>
    Promise.all([one, two].map(async (node) => Number(/^vigil_connections (\d+)/m.exec(await (await fetch(`${node.url}/metrics`)).text())?.[1])));

  balancer.use([one.url]);
  const ann = await join(balancer.url, 'ann', routed);
  balancer.use([two.url]);
  const ben = await join(balancer.url, 'ben', routed);
  assert.deepEqual(ben.connections.map((c) => c.data).sort(), ['ann', 'ben']);
  assert.deepEqual(await held(), [2, 0], 'both on the node that serves the media');
  const heard = nextEvent(ann, 'signal:hi');
  await ben.signal({ type: 'hi', data: 'same node' });
  assert.equal((await heard).data, 'same node');
  // REST about the session reaching the other node is passed on to the media node.
  const inspected = await fetch(`${two.url}/v2/project/${d.apiKey}/session/${encodeURIComponent(routed)}`, { headers: { 'x-opentok-auth': mintProjectJwt(d.apiKey, d.apiSecret) } });
  assert.equal(inspected.status, 200);
  assert.deepEqual(((await inspected.json()) as { connections: { data: string }[] }).connections.map((c) => c.data).sort(), ['ann', 'ben']);

  // A relayed session is not tied to a node: members stay where the balancer put them.
  const relayed = createSessionId({ apiKey: d.apiKey, mediaMode: 'relayed' });
  balancer.use([one.url]);
  await join(balancer.url, 'cy', relayed);
  balancer.use([two.url]);
  await join(balancer.url, 'di', relayed);
  assert.deepEqual(await held(), [3, 1]);

  // When everyone has left, the next joiner may serve the routed session from its own node.
  const gone = nextEvent(ben, 'connectionDestroyed');
  ann.disconnect();
  await gone;
  ben.disconnect();
  await waitUntil(async () => (await held())[0] === 1, 'the routed session is empty', 10_000);
  await join(balancer.url, 'eve', routed);
  assert.deepEqual(await held(), [1, 2], 'eve is served by node two now');
});

test('--session-affinity all: relayed sessions are tied to one node too', async (t) => {
  const d = await deploy(t, 2, () => ['--session-affinity', 'all']);
  const [one, two] = d.nodes as [ClusterNode, ClusterNode];
  const balancer = await TcpBalancer.start([one.url, two.url]);
  t.after(() => balancer.close());
  balancer.use([one.url]);
  const cy = d.session(balancer.url);
  await cy.connect(d.token('cy'));
  balancer.use([two.url]);
  const di = d.session(balancer.url);
  await di.connect(d.token('di'));
  assert.deepEqual(di.connections.map((c) => c.data).sort(), ['cy', 'di']);
  const metric = async (node: ClusterNode) => Number(/^vigil_connections (\d+)/m.exec(await (await fetch(`${node.url}/metrics`)).text())?.[1]);
  assert.deepEqual([await metric(one), await metric(two)], [2, 0], 'both on the first node');

  // The app server's SDK may reach any node: calls about the session are passed on to its node.
  const publisher = await openRawSocketWith(one.url, { sessionId: d.sessionId, token: d.token('pub') });
  t.after(() => publisher.socket.terminate());
  await publisher.waitFor((m) => m['type'] === 'welcome');
  publisher.send(JSON.stringify({ type: 'publish', id: 1, streamId: 's1', name: 'cam', videoType: 'camera', hasAudio: true, hasVideo: true }));
  await publisher.waitFor((m) => m['type'] === 'ack' && m['id'] === 1);
  const ot = createOpenTok(d.apiKey, d.apiSecret, two.url);
  const listed = await callSdkMethod(ot, 'listStreams', d.sessionId);
  assert.equal(listed.error, null);
  assert.deepEqual((listed.values[0] as { id: string }[]).map((s) => s.id), ['s1'], 'listStreams through the other node');
  const changed = nextEvent(cy, 'streamPropertyChanged');
  const set = await callSdkMethod(ot, 'setStreamClassLists', d.sessionId, [{ id: 's1', layoutClassList: ['full'] }]);
  assert.equal(set.error, null);
  assert.deepEqual((await changed).newValue, ['full']);
  const inspected = await fetch(`${two.url}/v2/project/${d.apiKey}/session/${encodeURIComponent(d.sessionId)}`, { headers: { 'x-opentok-auth': mintProjectJwt(d.apiKey, d.apiSecret) } });
  assert.equal(inspected.status, 200);
  assert.equal(((await inspected.json()) as { connections: unknown[] }).connections.length, 3);
});

test('a node killed mid-traffic: its client resumes elsewhere; everyone gets every acknowledged signal exactly once, in per-sender order', async (t) => {
  await nodeKilledMidTraffic(t, await deploy(t, 3));
});
