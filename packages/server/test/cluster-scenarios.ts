import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Session } from '@vigil/client';
import { createSessionId } from '@vigil/protocol';
import { mintProjectJwt } from '@vigil/server';
import { nextEvent, TcpBalancer, waitUntil, type ClusterNode } from '@vigil/test-kit';
import { idOf, joinThroughBalancer, recordSignals, type Deployment } from './cluster-harness.js';

// Scenarios run on more than one kind of deployment: nodes on one redis-server (cluster.test.ts), on
// Redis Cluster (cluster-redis-cluster.test.ts), and, for those needing no process, nodes in one
// process on a memory store (memory-deployment.test.ts).

/** What the scenarios that kill no node need of a deployment. */
export type Nodes = Pick<Deployment, 'join'> & { nodes: { url: string }[] };

/** Two nodes, one session: presence both ways, signals in per-sender order exactly once, targeted across nodes. */
export async function acrossTwoNodes(d: Nodes): Promise<void> {
  const [one, two] = d.nodes as [{ url: string }, { url: string }];
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
}

/** A node killed mid-traffic: its client resumes elsewhere; everyone gets every acknowledged signal exactly once, in per-sender order. */
export async function nodeKilledMidTraffic(t: TestContext, d: Deployment): Promise<void> {
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
}

/** Redis stopped and restarted empty: local members stay up, /readyz reports it, cross-node delivery recovers. */
export async function storeOutage(d: Deployment): Promise<void> {
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
  const local: string[] = [];
  carol.on('signal:local', ({ data }) => local.push(data));
  for (let i = 0; i < 5; i += 1) {
    await alice.signal({ type: 'local', data: `same node ${i}` });
  }
  await waitUntil(() => local.length === 5, 'members of one node keep talking');
  const refused = await fetch(`${two.url}/v2/project/${d.apiKey}/session/${encodeURIComponent(createSessionId({ apiKey: d.apiKey, mediaMode: 'relayed' }))}/signal`, {
    method: 'POST',
    headers: { 'x-opentok-auth': mintProjectJwt(d.apiKey, d.apiSecret), 'content-type': 'application/json' },
    body: JSON.stringify({ data: 'x' }),
  });
  assert.equal(refused.status, 503, 'what needs the store is refused with a clear error');
  assert.equal(((await refused.json()) as { code: string }).code, 'STORE_UNAVAILABLE');

  await d.redis.start(); // empty memory: the nodes re-assert what they hold
  await waitUntil(async () => (await fetch(`${one.url}/readyz`)).status === 200 && (await fetch(`${two.url}/readyz`)).status === 200, 'both nodes ready again', 15_000);
  await untilSignalsCross(bob, alice);
  // Alice's signals reached carol but not bob: node one says so, in /metrics and in its log (per
  // outage, not per frame: five frames, and a short second outage while Redis settles may add one).
  const metrics = await (await fetch(`${one.url}/metrics`)).text();
  assert.ok(Number(/^vigil_cluster_frames_unpublished (\d+)/m.exec(metrics)?.[1]) >= 5, 'the lost signals are counted');
  const warned = one.log().match(/frames for other nodes are being lost/g)?.length ?? 0;
  assert.ok(warned >= 1 && warned < 5, `logged per outage, not per frame (${warned} times)`);
  assert.match(one.log(), /frames lost for other nodes during the outage.*\[frames:\d+\]/, 'and summed up when it ends');
  assert.deepEqual([alice, carol, bob].map(idOf), ids, 'every connection stayed up, same ids');
  assert.deepEqual(destroyed, [], 'nobody was told anyone left');
  const dave = await d.join(two.url, 'dave');
  assert.deepEqual(dave.connections.map((c) => c.data).sort(), ['alice', 'bob', 'carol', 'dave'], 'a joiner after the restart sees everyone');
}

/** A client resumes on another node: same connection id, signals sent while it was away arrive once, in order. */
export async function resumeOnAnotherNode(t: TestContext, d: Nodes): Promise<void> {
  const [one, two] = d.nodes as [{ url: string }, { url: string }];
  const balancer = await TcpBalancer.start(d.nodes.map((n) => n.url));
  t.after(() => balancer.close());
  balancer.prefer(one.url);
  const alice = await d.join(balancer.url, 'alice');
  const bob = await d.join(two.url, 'bob');
  const carol = await d.join(one.url, 'carol');
  const aliceId = idOf(alice);
  const log = recordSignals(alice);
  const states: string[] = [];
  for (const peer of [bob, carol]) {
    peer.on('connectionStateChanged', ({ connection, state }) => connection.connectionId === aliceId && states.push(`${peer.connection?.data}:${state}`));
  }
  const destroyed: string[] = [];
  for (const peer of [bob, carol]) {
    peer.on('connectionDestroyed', ({ connection, reason }) => destroyed.push(`${peer.connection?.data}<-${connection.data}:${reason}`));
  }

  // Alice's network drops; her node notices (socket closed) and her peers see her reconnecting.
  balancer.refusing = true;
  assert.equal(balancer.cut(one.url), 1);
  await waitUntil(() => states.includes('bob:reconnecting') && states.includes('carol:reconnecting'), 'peers see alice reconnecting', 10_000);
  for (let i = 0; i < 20; i += 1) {
    await bob.signal({ type: 'n', data: `b${i}`, to: alice.connection! });
    await carol.signal({ type: 'n', data: `c${i}` });
  }

  // She comes back through the balancer, which now sends her to the other node.
  const reconnected = nextEvent(alice, 'sessionReconnected', { timeoutMs: 20_000 });
  balancer.prefer(two.url);
  balancer.refusing = false;
  const event = await reconnected;
  assert.equal(event.rejoined, false, 'resumed, not rejoined');
  assert.equal(idOf(alice), aliceId, 'same connection id on the other node');
  await waitUntil(() => log.length >= 40, 'everything sent while away arrives', 10_000);
  const got = bySender(log);
  assert.deepEqual(got.get(idOf(bob)), Array.from({ length: 20 }, (_, i) => `b${i}`));
  assert.deepEqual(got.get(idOf(carol)), Array.from({ length: 20 }, (_, i) => `c${i}`));
  assert.equal(log.length, 40, 'nothing twice');
  await waitUntil(() => states.includes('bob:active') && states.includes('carol:active'), 'peers see her active again', 10_000);

  // Now held by node two: reachable from both nodes, in both directions.
  const fromCarol = nextEvent(alice, 'signal:after');
  await carol.signal({ type: 'after', data: 'from node one', to: alice.connection! });
  assert.equal((await fromCarol).data, 'from node one');
  const toBob = nextEvent(bob, 'signal:reply');
  const toCarol = nextEvent(carol, 'signal:reply');
  await alice.signal({ type: 'reply', data: 'hi all' });
  assert.equal((await toBob).from?.connectionId, aliceId);
  assert.equal((await toCarol).from?.connectionId, aliceId);

  // One departure, seen once by each peer, announced by the node that holds her now.
  const carolSees = nextEvent(carol, 'connectionDestroyed');
  alice.disconnect();
  await carolSees;
  await waitUntil(() => destroyed.length >= 2, 'both peers see alice leave', 10_000);
  await bob.signal({ data: 'settle' });
  await carol.signal({ data: 'settle' });
  assert.deepEqual(destroyed.sort(), ['bob<-alice:clientDisconnected', 'carol<-alice:clientDisconnected']);
  assert.deepEqual(bob.connections.map((c) => c.data).sort(), ['bob', 'carol']);
}

/** Per sender, the data of its signals in arrival order. */
export function bySender(log: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const entry of log) {
    const at = entry.indexOf(':');
    const sender = entry.slice(0, at);
    out.set(sender, [...(out.get(sender) ?? []), entry.slice(at + 1)]);
  }
  return out;
}

/** Waits (20 s at most) until a signal from `from` reaches `to` again, after an outage. */
export async function untilSignalsCross(from: Session, to: Session): Promise<void> {
  await waitUntil(async () => {
    const probe = nextEvent(to, 'signal:probe', { timeoutMs: 1_000 }).then(() => true, () => false);
    await from.signal({ type: 'probe', data: 'across' });
    return probe;
  }, 'signals cross nodes again', 20_000);
}
