import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import type { Session } from '@vigil/client';
import { nextEvent, openRawSocketWith, TcpBalancer, waitUntil, type ClusterNode } from '@vigil/test-kit';
import { deploy, idOf, joinThroughBalancer, recordSignals } from './cluster-harness.js';
import { bySender, resumeOnAnotherNode } from './cluster-scenarios.js';

/**
 * Resume on another node (issue 9): a client whose socket drops comes back through the balancer to a
 * different node inside the grace, keeps its connection id, and gets everything sent meanwhile once.
 */

/**
 * Two nodes: alice joins node one through a balancer (so she can come back through it to node two),
 * bob joins node two; resolves once alice knows bob.
 */
async function aliceOnOneBobOnTwo(t: TestContext, nodeArgs: string[]) {
  const d = await deploy(t, 2, () => nodeArgs);
  const [one, two] = d.nodes as [ClusterNode, ClusterNode];
  const { balancer, session: alice } = await joinThroughBalancer(t, d, 'alice');
  const bob = await d.join(two.url, 'bob');
  await waitUntil(() => alice.connections.some((c) => c.data === 'bob'), 'alice knows bob before anything else happens', 10_000);
  return { d, one, two, balancer, alice, bob, aliceId: idOf(alice) };
}

/** Freezes a node's process (as a stalled one would be) until `SIGCONT`, which the test's end sends too. */
function freeze(t: TestContext, node: ClusterNode): void {
  process.kill(node.pid, 'SIGSTOP');
  t.after(() => {
    try {
      process.kill(node.pid, 'SIGCONT');
    } catch {
      // already gone
    }
  });
}


test('a client resumes on another node: same connection id, signals sent while it was away arrive once, in order', async (t) => {
  await resumeOnAnotherNode(t, await deploy(t, 2));
});

test('history across 3 nodes: 15 drops, each resumed on the next node, under traffic both ways — per-sender order, no loss, no duplicates', async (t) => {
  const d = await deploy(t, 3);
  const balancer = await TcpBalancer.start(d.nodes.map((n) => n.url));
  t.after(() => balancer.close());
  balancer.prefer((d.nodes[0] as ClusterNode).url);
  const alice = await d.join(balancer.url, 'alice');
  const bob = await d.join((d.nodes[1] as ClusterNode).url, 'bob');
  const carol = await d.join((d.nodes[2] as ClusterNode).url, 'carol');
  const aliceId = idOf(alice);
  const logs = new Map<Session, string[]>([alice, bob, carol].map((s) => [s, recordSignals(s)]));

  let sending = true;
  const sent = new Map<Session, number>([[alice, 0], [bob, 0], [carol, 0]]);
  const sender = async (from: Session, name: string, to?: Session) => {
    // Bounded: at most 2 000 signals per sender, and only while the cycles run.
    for (let i = 0; sending && i < 2_000; i += 1) {
      await from.signal({ type: 'h', data: `${name}${i}`, ...(to ? { to: to.connection! } : {}) });
      sent.set(from, i + 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const traffic = Promise.all([sender(alice, 'a'), sender(bob, 'b', alice), sender(carol, 'c')]);

  // Presence churn on the node she is moving to, while she moves: her view of who is there must stay right.
  const presence: string[] = [];
  alice.on('connectionCreated', ({ connection }) => connection.data.startsWith('churn') && presence.push(`+${connection.data}`));
  alice.on('connectionDestroyed', ({ connection }) => connection.data.startsWith('churn') && presence.push(`-${connection.data}`));
  let churner: Session | undefined;
  const CYCLES = 15;
  for (let cycle = 0; cycle < CYCLES; cycle += 1) {
    const reconnected = nextEvent(alice, 'sessionReconnected', { timeoutMs: 20_000 });
    balancer.refusing = true;
    for (const node of d.nodes) {
      balancer.cut(node.url);
    }
    await new Promise((resolve) => setTimeout(resolve, 50 + ((cycle * 97) % 250)));
    const target = d.nodes[(cycle + 1) % d.nodes.length] as ClusterNode;
    balancer.prefer(target.url);
    balancer.refusing = false;
    const previous = churner;
    churner = d.session(target.url);
    const joined = churner.connect(d.token(`churn${cycle}`));
    previous?.disconnect();
    const event = await reconnected;
    await joined;
    assert.equal(event.rejoined, false, `cycle ${cycle}: resumed\n${d.nodes.map((n) => n.log().split("\n").filter((l) => /handoff|resume|upgrade|adopt|detach/.test(l)).join("\n")).join("\n---\n")}`);
    assert.equal(idOf(alice), aliceId, `cycle ${cycle}: same id`);
    // Connected for a moment, so what she re-sent gets through before the next drop.
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  sending = false;
  await traffic;

  const expect = (name: string, from: Session) => Array.from({ length: sent.get(from) ?? 0 }, (_, i) => `${name}${i}`);
  await waitUntil(
    () => (logs.get(alice)?.length ?? 0) >= (sent.get(alice) ?? 0) + (sent.get(bob) ?? 0) + (sent.get(carol) ?? 0),
    'alice receives every signal',
    15_000,
  ).catch((err: Error) => {
    const got = bySender(logs.get(alice) ?? []);
    const counts = [alice, bob, carol].map((s) => `${s.connection?.data}: sent ${sent.get(s)}, got ${got.get(idOf(s))?.length ?? 0}`);
    throw new Error(`${err.message}: ${counts.join('; ')}`);
  });
  const atAlice = bySender(logs.get(alice) ?? []);
  assert.deepEqual(atAlice.get(aliceId), expect('a', alice), 'her own broadcasts, once each, in order');
  assert.deepEqual(atAlice.get(idOf(bob)), expect('b', bob), "bob's targeted signals");
  assert.deepEqual(atAlice.get(idOf(carol)), expect('c', carol), "carol's broadcasts");
  for (const peer of [bob, carol]) {
    await waitUntil(() => (bySender(logs.get(peer) ?? []).get(aliceId)?.length ?? 0) >= (sent.get(alice) ?? 0), `${peer.connection?.data} receives alice's signals`, 15_000);
    assert.deepEqual(bySender(logs.get(peer) ?? []).get(aliceId), expect('a', alice), `${peer.connection?.data} gets alice's signals once, in order`);
  }
  assert.ok((sent.get(alice) ?? 0) > 50, `traffic flowed (${sent.get(alice)} from alice)`);
  const everyone = ['alice', 'bob', 'carol', `churn${CYCLES - 1}`].sort();
  assert.deepEqual(bob.connections.map((c) => c.data).sort(), everyone, 'no ghost, nobody lost');
  await waitUntil(() => alice.connections.length === everyone.length, 'alice sees the last churner', 10_000);
  assert.deepEqual(alice.connections.map((c) => c.data).sort(), everyone, "alice's view after moving 15 times");
  for (let cycle = 0; cycle < CYCLES; cycle += 1) {
    const seen = presence.filter((p) => p.slice(1) === `churn${cycle}`);
    assert.deepEqual(seen, cycle === CYCLES - 1 ? [`+churn${cycle}`] : [`+churn${cycle}`, `-churn${cycle}`], `alice heard churn${cycle} arrive (and leave) exactly once`);
  }
});

test('across nodes: a wrong resume token is refused (and connect-check says why); a rejoin elsewhere ends the old connection once', async (t) => {
  const d = await deploy(t, 2);
  const [one, two] = d.nodes as [ClusterNode, ClusterNode];
  const bob = await d.join(two.url, 'bob');
  // Alice as a bare socket on node one, so the test holds her resume token.
  const alice = await openRawSocketWith(one.url, { sessionId: d.sessionId, token: d.token('alice') });
  t.after(() => alice.socket.terminate());
  const welcome = await alice.waitFor((m) => m['type'] === 'welcome');
  const aliceId = (welcome['connection'] as { id: string }).id;
  const resumeToken = welcome['resumeToken'] as string;
  await waitUntil(() => bob.connections.some((c) => c.connectionId === aliceId), 'bob sees alice', 10_000);

  // Someone without her token tries to resume her connection on node two.
  const query = new URLSearchParams({ protocol: '1', sessionId: d.sessionId, resume: aliceId, resumeToken: 'x'.repeat(32), rx: '0' });
  const status = await new Promise<number>((resolve, reject) => {
    const socket = new WebSocket(`${two.url.replace(/^http/, 'ws')}/v1/ws?${query.toString()}`);
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => reject(new Error('a wrong token resumed the connection')));
    socket.on('error', () => {});
  });
  assert.equal(status, 401, 'RESUME_TOKEN_INVALID');
  const check = await fetch(`${two.url}/v1/connect-check`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId: d.sessionId, resume: aliceId, resumeToken: 'x'.repeat(32), rx: '0' }),
  });
  assert.equal(((await check.json()) as { code: string }).code, 'RESUME_TOKEN_INVALID', 'browsers learn the refusal too');
  assert.equal(alice.socket.readyState, WebSocket.OPEN, 'alice was not disturbed');

  // Alice rejoins on node two naming her old connection: node one ends it, and bob hears it once.
  const destroyed: string[] = [];
  bob.on('connectionDestroyed', ({ connection, reason }) => destroyed.push(`${connection.connectionId}:${reason}`));
  const again = await openRawSocketWith(two.url, { sessionId: d.sessionId, token: d.token('alice'), previous: aliceId, previousToken: resumeToken });
  t.after(() => again.socket.terminate());
  await again.waitFor((m) => m['type'] === 'welcome');
  await waitUntil(() => destroyed.length > 0, 'the old connection ends', 10_000);
  await bob.signal({ data: 'settle' });
  assert.deepEqual(destroyed, [`${aliceId}:networkDisconnected`]);
  assert.deepEqual(bob.connections.map((c) => c.data).sort(), ['alice', 'bob']);
});

test('during a handoff held up by a frozen old node, what happens on the new node reaches the moving client: a join, a signal', async (t) => {
  // Leases longer than the freeze: this is about the handoff, not about reaping a stalled node.
  const { d, one, two, balancer, alice, bob, aliceId } = await aliceOnOneBobOnTwo(t, ['--node-lease-ms', '10000']);
  const created: string[] = [];
  alice.on('connectionCreated', ({ connection }) => created.push(connection.data));
  const heard = recordSignals(alice);

  balancer.refusing = true;
  balancer.cut(one.url);
  await waitUntil(() => bob.connections.find((c) => c.connectionId === aliceId)?.state === 'reconnecting', 'bob sees alice reconnecting', 10_000);
  // Node one freezes (as a stalled process would): it will read the handoff request only when it resumes.
  freeze(t, one);
  const reconnected = nextEvent(alice, 'sessionReconnected', { timeoutMs: 20_000 });
  balancer.use([two.url]);
  balancer.refusing = false;
  await new Promise((resolve) => setTimeout(resolve, 700)); // her resume reaches node two, which asks node one
  const carol = await d.join(two.url, 'carol');
  await bob.signal({ type: 'n', data: 'while moving', to: alice.connection! });
  process.kill(one.pid, 'SIGCONT');

  assert.equal((await reconnected).rejoined, false, 'resumed on node two');
  assert.equal(idOf(alice), aliceId);
  await waitUntil(() => heard.some((e) => e.endsWith(':while moving')), "bob's signal arrives", 10_000);
  await waitUntil(() => created.includes('carol'), "carol's arrival reaches alice", 10_000);
  assert.deepEqual(created, ['carol'], 'told once');
  assert.deepEqual(alice.connections.map((c) => c.data).sort(), ['alice', 'bob', 'carol']);
  assert.equal(heard.filter((e) => e.endsWith(':while moving')).length, 1);
  assert.ok(carol.connections.some((c) => c.connectionId === aliceId));
});

test('a node stalled past its lease: its client resumes on another node; when it wakes it lets her go, and nobody is told she left', async (t) => {
  const { d, one, two, balancer, alice, bob, aliceId } = await aliceOnOneBobOnTwo(t, ['--network-grace-ms', '7000', '--suspend-grace-ms', '9000']);
  const destroyed: string[] = [];
  bob.on('connectionDestroyed', ({ connection, reason }) => destroyed.push(`${connection.data}:${reason}`));

  freeze(t, one); // longer than its 1 s lease: the survivors take it for dead
  // The survivors orphan her (bob sees her reconnecting); only then does her link drop, so node two takes
  // her over from the log without asking node one (which would answer when it wakes).
  await waitUntil(() => bob.connections.find((c) => c.connectionId === aliceId)?.state === 'reconnecting', 'bob sees her orphaned', 10_000);
  const resumed = nextEvent(alice, 'sessionReconnected', { timeoutMs: 30_000 });
  balancer.use([two.url]);
  balancer.cut(one.url); // her link to the frozen node drops; she comes back through the balancer
  const event = await resumed;
  assert.equal(event.rejoined, false, 'resumed on node two from the log');
  assert.equal(idOf(alice), aliceId);

  process.kill(one.pid, 'SIGCONT');
  // Node one wakes holding her as away, her grace running: it must find she lives on node two and let
  // her go instead of announcing her departure when that grace runs out.
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  assert.deepEqual(destroyed, [], 'nobody was told she left');
  await waitUntil(() => bob.connections.find((c) => c.connectionId === aliceId)?.state === 'active', 'bob sees her active', 10_000);
  const toAlice = nextEvent(alice, 'signal:hi');
  await bob.signal({ type: 'hi', data: 'still here?', to: alice.connection! });
  assert.equal((await toAlice).data, 'still here?');
  const carol = await d.join(one.url, 'carol'); // a joiner on the woken node sees her too
  assert.ok(carol.connections.some((c) => c.connectionId === aliceId), 'listed by the woken node');
  const toCarol = nextEvent(carol, 'signal:hello');
  await alice.signal({ type: 'hello', data: 'from node two' });
  assert.equal((await toCarol).from?.connectionId, aliceId);
});

test('a rejoin through another node learns what the old connection had processed there (the departed store is shared)', async (t) => {
  const d = await deploy(t, 2);
  const [one, two] = d.nodes as [ClusterNode, ClusterNode];
  const old = await openRawSocketWith(one.url, { sessionId: d.sessionId, token: d.token('alice') });
  t.after(() => old.socket.close());
  const welcome = await old.waitFor((m) => m['type'] === 'welcome');
  const oldId = (welcome['connection'] as { id: string }).id;
  old.send(JSON.stringify({ type: 'signal', id: 5, signalType: 'n', data: 'processed' }));
  await old.waitFor((m) => m['type'] === 'ack' && m['id'] === 5);

  // Her client gave up on the old connection and joins again through node two, naming it.
  const again = await openRawSocketWith(two.url, { sessionId: d.sessionId, token: d.token('alice'), previous: oldId, previousToken: String(welcome['resumeToken']) });
  t.after(() => again.socket.close());
  const second = await again.waitFor((m) => m['type'] === 'welcome');
  assert.deepEqual(second['previous'], { connectionId: oldId, lastRequestId: 5 }, 'node one ended it and remembered it where node two could read it');
  assert.equal((await old.closed).code >= 4000, true, 'the old connection was ended');
});
