import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '@vigil/client';
import { createSessionId } from '@vigil/protocol';
import { mintProjectJwt } from '@vigil/server';
import { callSdkMethod, createOpenTok, nextEvent, openRawSocketWith, TcpBalancer, waitUntil, type ClusterNode } from '@vigil/test-kit';
import { deploy, idOf, joinThroughBalancer, recordSignals } from './cluster-harness.js';

test('two nodes, one session: presence both ways, signals in per-sender order exactly once, targeted across nodes', async (t) => {
  const d = await deploy(t, 2);
  const [one, two] = d.nodes as [ClusterNode, ClusterNode];
  const alice = await d.join(one.url, 'alice');
  const aliceSeesBob = nextEvent(alice, 'connectionCreated');
  const bob = await d.join(two.url, 'bob');
  assert.deepEqual(bob.connections.map((c) => c.data).sort(), ['alice', 'bob'], "bob's welcome lists alice, held by the other node");
  assert.equal((await aliceSeesBob).connection.data, 'bob');
  const carol = await d.join(one.url, 'carol');
  assert.deepEqual(carol.connections.map((c) => c.data).sort(), ['alice', 'bob', 'carol']);

  const logs = new Map([alice, bob, carol].map((s) => [s, recordSignals(s)]));
  const PER_SENDER = 300;
  const send = async (from: Session, name: string) => {
    for (let i = 0; i < PER_SENDER; i += 1) {
      await from.signal({ type: 'n', data: `${name}${i}` });
    }
  };
  await Promise.all([send(alice, 'a'), send(bob, 'b')]);
  await waitUntil(() => [...logs.values()].every((log) => log.length >= 2 * PER_SENDER), 'every member receives every signal', 15_000);
  for (const [session, log] of logs) {
    for (const [sender, name] of [[alice, 'a'], [bob, 'b']] as const) {
      const fromSender = log.filter((entry) => entry.startsWith(`${idOf(sender)}:`)).map((entry) => entry.split(':')[1]);
      assert.deepEqual(fromSender, Array.from({ length: PER_SENDER }, (_, i) => `${name}${i}`), `${session.connection?.data} gets ${name}'s signals once, in order`);
    }
    assert.equal(log.length, 2 * PER_SENDER, 'nothing twice');
  }

  // Targeted, across nodes: only the recipient gets it.
  const before = logs.get(carol)?.length ?? 0;
  const direct = nextEvent(alice, 'signal:direct');
  await bob.signal({ type: 'direct', data: 'hi alice', to: alice.connection! });
  assert.equal((await direct).data, 'hi alice');
  await carol.signal({ type: 'sync', data: 'x' }); // a round trip through node one
  assert.equal(logs.get(carol)?.filter((e) => e.endsWith(':hi alice')).length, 0, 'carol did not get the targeted signal');
  assert.ok((logs.get(carol)?.length ?? 0) >= before);

  // State changes cross nodes too.
  const state = nextEvent(alice, 'connectionStateChanged');
  bob.announce('background', 'test');
  const changed = await state;
  assert.deepEqual([changed.connection.connectionId, changed.state], [idOf(bob), 'background']);

  // A departure on one node is seen once on the other.
  const destroyed: string[] = [];
  alice.on('connectionDestroyed', ({ connection, reason }) => destroyed.push(`${connection.data}:${reason}`));
  const gone = nextEvent(alice, 'connectionDestroyed');
  bob.disconnect();
  assert.equal((await gone).reason, 'clientDisconnected');
  await alice.signal({ type: 'sync', data: 'y' });
  await bob.signal({ data: 'after' }).catch(() => {});
  assert.deepEqual(destroyed, ['bob:clientDisconnected']);
  assert.deepEqual(alice.connections.map((c) => c.data).sort(), ['alice', 'carol']);
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
  const d = await deploy(t, 2);
  const [one, two] = d.nodes as [ClusterNode, ClusterNode];
  const alice = await d.join(one.url, 'alice');
  const carol = await d.join(one.url, 'carol');
  const bob = await d.join(two.url, 'bob');
  const ids = [alice, carol, bob].map(idOf);
  const destroyed: string[] = [];
  for (const s of [alice, carol, bob]) {
    s.on('connectionDestroyed', ({ connection }) => destroyed.push(`${s.connection?.data}<-${connection.data}`));
  }

  await d.redis.halt();
  await waitUntil(async () => (await fetch(`${one.url}/readyz`)).status === 503, 'readyz reports the lost store', 10_000);
  assert.deepEqual(
    (({ status, redis: link, node }) => ({ status, link, node }))((await (await fetch(`${one.url}/readyz`)).json()) as { status: string; redis: string; node: string }),
    { status: 'degraded', link: 'down', node: one.nodeId },
  );
  const local = nextEvent(carol, 'signal:local');
  await alice.signal({ type: 'local', data: 'same node' });
  assert.equal((await local).data, 'same node', 'members of one node keep talking');
  const refused = await fetch(`${two.url}/v2/project/${d.apiKey}/session/${encodeURIComponent(createSessionId({ apiKey: d.apiKey, mediaMode: 'relayed' }))}/signal`, {
    method: 'POST',
    headers: { 'x-opentok-auth': mintProjectJwt(d.apiKey, d.apiSecret), 'content-type': 'application/json' },
    body: JSON.stringify({ data: 'x' }),
  });
  assert.equal(refused.status, 503, 'what needs the store is refused with a clear error');
  assert.equal(((await refused.json()) as { code: string }).code, 'STORE_UNAVAILABLE');

  await d.redis.start(); // empty memory: the nodes re-assert what they hold
  await waitUntil(async () => (await fetch(`${one.url}/readyz`)).status === 200 && (await fetch(`${two.url}/readyz`)).status === 200, 'both nodes ready again', 15_000);
  await waitUntil(async () => {
      const probe = nextEvent(alice, 'signal:probe', { timeoutMs: 1_000 }).then(() => true, () => false);
      await bob.signal({ type: 'probe', data: 'across' });
      return probe;
    }, 'signals cross nodes again', 20_000);
  assert.deepEqual([alice, carol, bob].map(idOf), ids, 'every connection stayed up, same ids');
  assert.deepEqual(destroyed, [], 'nobody was told anyone left');
  const dave = await d.join(two.url, 'dave');
  assert.deepEqual(dave.connections.map((c) => c.data).sort(), ['alice', 'bob', 'carol', 'dave'], 'a joiner after the restart sees everyone');
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
  const d = await deploy(t, 3);
  const [one, two, three] = d.nodes as [ClusterNode, ClusterNode, ClusterNode];
  const { session: alice } = await joinThroughBalancer(t, d, 'alice'); // to node two or three when node one dies
  const bob = await d.join(two.url, 'bob');
  const carol = await d.join(three.url, 'carol');
  const aliceId = idOf(alice);
  // By sender name: the data received, in order.
  const received = new Map<Session, Map<string, number[]>>();
  for (const s of [alice, bob, carol]) {
    const bySender = new Map<string, number[]>();
    received.set(s, bySender);
    const record = (data: string) => {
      const [name, n] = data.split(':') as [string, string];
      bySender.set(name, [...(bySender.get(name) ?? []), Number(n)]);
    };
    s.on('signal:h', ({ data }) => record(data));
    s.on('signal:to-alice', ({ data }) => record(data));
  }
  const acked = new Map<string, Set<number>>([['alice', new Set()], ['bob', new Set()], ['carol', new Set()], ['bob>alice', new Set()]]);
  let sending = true;
  const sender = async (from: Session, name: string, to?: Session) => {
    for (let i = 0; sending && i < 3_000; i += 1) {
      try {
        await (to ? from.signal({ type: 'to-alice', data: `${name}:${i}`, to: to.connection! }) : from.signal({ type: 'h', data: `${name}:${i}` }));
        acked.get(name)?.add(i);
      } catch {
        // not acknowledged: may or may not have been delivered, but at most once
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const traffic = Promise.all([sender(alice, 'alice'), sender(bob, 'bob'), sender(carol, 'carol'), sender(bob, 'bob>alice', alice)]);
  await waitUntil(() => (acked.get('alice')?.size ?? 0) > 50, 'traffic flows', 10_000);
  const resumed = nextEvent(alice, 'sessionReconnected', { timeoutMs: 30_000 });
  await one.kill();
  assert.equal((await resumed).rejoined, false, 'she resumes, she does not rejoin');
  assert.equal(idOf(alice), aliceId);
  const after = acked.get('alice')?.size ?? 0;
  await waitUntil(() => (acked.get('alice')?.size ?? 0) > after + 50, 'alice sends again from her new node', 15_000);
  sending = false;
  await traffic;
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // the last frames land

  for (const [session, bySender] of received) {
    const who = session.connection?.data;
    for (const [name, sent] of acked) {
      if (name === 'bob>alice' && session !== alice) {
        continue;
      }
      const got = bySender.get(name) ?? [];
      assert.deepEqual(got, [...got].sort((a, b) => a - b), `${who}: ${name}'s signals in order`);
      assert.equal(new Set(got).size, got.length, `${who}: nothing of ${name}'s twice`);
      assert.deepEqual([...sent].filter((n) => !got.includes(n)), [], `${who} got every acknowledged signal of ${name}`);
    }
  }
  t.diagnostic(`acknowledged: ${[...acked].map(([n, s]) => `${n} ${s.size}`).join(', ')}`);
});
