import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { waitUntil } from '@vigil/test-kit';
import { encodeBusFrame } from '../src/cluster/bus-frame.js';
import { readStamp } from '../src/cluster/frame-stamp.js';
import type { MemberRecord } from '../src/cluster/remote-members.js';
import type { SessionStore } from '../src/cluster/session-store.js';

// The session store contract (`session-store.ts`), run on both implementations (session-stores.test.ts):
// memory, for nodes in one process, and Redis, for nodes in separate ones. `a` and `b` are two nodes'
// views of one store. Not a test file itself: each case is a subtest of the caller.

export type OpenStores = (t: TestContext) => Promise<{ a: SessionStore; b: SessionStore }>;

const S = 's1';
const member = (node: string, id: string, extra: Partial<MemberRecord> = {}): MemberRecord => ({ node, info: { id, data: '', creationTime: 1, state: 'active' }, ...extra });
const payload = (origin: string, text: string) => `{"vo":"${origin}.${text}","type":"signal","data":"${text}"}`;
const broadcast = (node: string, text: string) => encodeBusFrame({ kind: 'broadcast', node, except: '', droppable: false, member: false, payload: payload(node, text) });
const direct = (node: string, to: string, text: string) => encodeBusFrame({ kind: 'direct', node, to, droppable: true, payload: payload(node, text) });
const presence = (node: string, text: string) => encodeBusFrame({ kind: 'broadcast', node, except: '', droppable: false, member: true, payload: payload(node, text) });
const head = (node: string) => encodeBusFrame({ kind: 'broadcast', node, except: '', droppable: false, member: true, payload: '' }).slice(0, -1);
/** The stamp count of each frame (`<frame head>\n<payload>`). */
const counts = (frames: string[]) => frames.map((f) => readStamp(f.slice(f.indexOf('\n') + 1))?.n);

/** Frames `store` receives on session `S` from now on. */
async function listen(store: SessionStore): Promise<string[]> {
  const received: string[] = [];
  store.onMessage = (sessionId, frame) => sessionId === S && received.push(frame);
  await store.subscribe(S);
  return received;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

export async function sessionStoreContract(t: TestContext, open: OpenStores): Promise<void> {
  await t.test('frames reach every subscriber in publish order; unlogged, logged and unpublished ones', async (t) => {
    const { a, b } = await open(t);
    const [atA, atB] = [await listen(a), await listen(b)];
    assert.equal(await a.subscribers(S), 2, 'both nodes listen');
    assert.equal(await b.subscribers('other'), 0);
    for (let i = 1; i <= 20; i += 1) {
      void (i % 2 === 0 ? a.appendFrame(S, broadcast('A', String(i))) : a.publish(S, broadcast('A', String(i))));
    }
    await a.appendFrame(S, direct('A', 'x', '21'), { publish: false });
    await waitUntil(() => atB.length === 20 && atA.length === 20, 'twenty frames at both nodes');
    assert.deepEqual(counts(atB), Array.from({ length: 20 }, (_, i) => String(i + 1)), 'in order, the unpublished one left out');
    assert.deepEqual(atA, atB, 'the publishing node gets its own frames too');
    await b.unsubscribe(S);
    assert.equal(await a.subscribers(S), 1);
    await a.appendFrame(S, broadcast('A', '22'));
    await waitUntil(() => atA.length === 21, 'the frame after B unsubscribed');
    await settle();
    assert.equal(atB.length, 20, 'nothing after unsubscribing');
  });

  await t.test('a takeover reads the member and every frame logged after its join, with the requests its signals answered', async (t) => {
    const { a, b } = await open(t);
    const published = await listen(b);
    await a.appendFrame(S, broadcast('A', '1')); // before x joined: not part of its history
    await a.addMember(S, member('A', 'x'), presence('A', 'j'));
    await b.appendFrame(S, broadcast('B', '2'));
    await a.appendFrame(S, broadcast('A', '3'), { origin: { sender: 'x', requestId: 41 } });
    await a.appendFrame(S, direct('A', 'x', '4'), { publish: false }); // a direct delivered locally
    await a.publish(S, broadcast('A', '5')); // a request between nodes: not logged
    const history = await b.history(S, 'x');
    assert.ok(history);
    assert.deepEqual(history.record, member('A', 'x'));
    assert.deepEqual(
      history.entries.map((e) => (e.frame.kind === 'kick' ? '' : readStamp(e.frame.payload)?.n)),
      ['2', '3', '4'],
    );
    assert.deepEqual(history.entries.map((e) => e.requestId ?? 0), [0, 41, 0]);
    assert.equal(history.entries[1]?.sender, 'x');
    assert.equal(history.entries[0]?.sender, undefined);
    await waitUntil(() => published.length === 5, 'five frames published');
    assert.deepEqual(counts(published), ['1', 'j', '2', '3', '5']);
    assert.equal(await b.history(S, 'nobody'), undefined);
    assert.deepEqual(counts(await b.recentFrames(S, 3)), ['2', '3', '4'], 'the last logged frames, oldest first');
    assert.deepEqual(counts(await b.recentFrames(S, 100)), ['1', 'j', '2', '3', '4']);
    assert.deepEqual(await b.recentFrames('nothing-here', 10), []);
    assert.deepEqual(await b.members(S), [member('A', 'x')]);
    assert.equal(await b.writeMember(S, 'x', 'A', undefined, ''), '');
    assert.equal(await b.history(S, 'x'), undefined, 'no history once it left');
  });

  await t.test('member writes yield to whoever holds the record now, and to a tombstone', async (t) => {
    const { a, b } = await open(t);
    const published = await listen(b);
    await a.addMember(S, member('A', 'x'), presence('A', '0'));
    assert.equal(await a.writeMember(S, 'x', 'A', member('A', 'x', { info: { id: 'x', data: '', creationTime: 1, state: 'background' } }), presence('A', '1')), '');
    assert.equal((await b.member(S, 'x'))?.info.state, 'background');
    // B took x over: A (which stalled) may neither change nor delete it, and publishes nothing.
    assert.equal(await b.claimMember(S, 'A', member('B', 'x')), true);
    assert.equal(await a.writeMember(S, 'x', 'A', member('A', 'x'), presence('A', '2')), 'B');
    assert.equal(await a.writeMember(S, 'x', 'A', undefined, presence('A', '3')), 'B');
    assert.equal((await a.member(S, 'x'))?.node, 'B');
    assert.equal(await a.reassertMember(S, member('A', 'x')), 'B');
    // Absent (the store lost its data): written again, and listed as the node's again.
    assert.equal(await a.writeMember(S, 'y', 'A', member('A', 'y'), ''), '');
    assert.deepEqual(await a.member(S, 'y'), member('A', 'y'));
    assert.equal(await a.reassertMember(S, member('A', 'z')), '');
    assert.deepEqual((await b.nodeSessions('A')).sort(), [S]);
    await waitUntil(() => published.length === 2, 'the join and the change');
    await settle();
    assert.deepEqual(counts(published), ['0', '1'], 'only the writes that went through were published');
  });

  await t.test('survivors orphan a member only while its node\'s lease is out, once; end it once, past its grace; a claim wins over both', async (t) => {
    const { a, b } = await open(t);
    const published = await listen(a);
    const now = Date.now();
    const orphan = (id: string) => member('D', id, { orphan: true, info: { id, data: '', creationTime: 1, state: 'reconnecting' } });
    const stateChange = (id: string) => `{"type":"connectionStateChanged","connectionId":"${id}","state":"reconnecting"}`;
    const ended = (id: string) => `{"type":"connectionDestroyed","connectionId":"${id}"}`;
    await a.addMember(S, member('D', 'x'), presence('D', '1'));
    await a.addMember(S, member('D', 'y'), presence('D', '2'));
    await a.renewLease('D', now + 60_000); // D renewed: it is alive
    assert.equal(await b.orphanMember(S, 'x', 'D', orphan('x'), now + 5_000, now, head('D'), stateChange('x')), false, 'a live node keeps its members');
    await a.renewLease('D', now - 1);
    assert.deepEqual(await b.expiredNodes(now, 10), ['D']);
    assert.equal(await b.orphanMember(S, 'x', 'D', orphan('x'), now + 5_000, now, head('D'), stateChange('x')), true);
    assert.equal(await a.orphanMember(S, 'x', 'D', orphan('x'), now + 5_000, now, head('D'), stateChange('x')), false, 'once');
    assert.equal((await a.member(S, 'x'))?.orphan, true);
    assert.deepEqual(await a.dueOrphans(now + 4_000, 10), [], 'not due before its grace ends');
    assert.deepEqual(await a.dueOrphans(now + 5_000, 10), [{ sessionId: S, connectionId: 'x' }]);
    assert.equal(await b.endOrphan(S, 'y', 'D', 'networkDisconnected', head('D'), ended('y')), false, 'not orphaned yet: not ended');
    // x is ended past its grace: record gone, a tombstone left, its schedule removed; once.
    assert.equal(await b.endOrphan(S, 'x', 'D', 'suspended', head('D'), ended('x')), true);
    assert.equal(await a.endOrphan(S, 'x', 'D', 'suspended', head('D'), ended('x')), false);
    assert.equal(await a.member(S, 'x'), undefined);
    assert.deepEqual(await a.dueOrphans(now + 5_000, 10), []);
    assert.equal(await a.writeMember(S, 'x', 'D', member('D', 'x'), presence('D', '3')), '!suspended', 'D, woken, learns it was ended');
    assert.equal(await a.reassertMember(S, member('D', 'x')), '!suspended');
    // y is orphaned, then claimed by B: the survivors can no longer end it, nor can D claim it back.
    assert.equal(await a.orphanMember(S, 'y', 'D', orphan('y'), now + 5_000, now, head('D'), stateChange('y')), true);
    assert.equal(await a.claimMember(S, 'D', member('B', 'y')), true);
    assert.equal(await b.claimMember(S, 'D', member('C', 'y')), false, 'a second claim loses');
    assert.deepEqual(await a.dueOrphans(now + 5_000, 10), [], 'a claim drops its schedule');
    assert.equal(await a.endOrphan(S, 'y', 'D', 'networkDisconnected', head('D'), ended('y')), false);
    assert.deepEqual(await b.nodeSessions('B'), [S], 'the claimer serves the session now');
    await waitUntil(() => published.length === 5, 'two joins, three announcements');
    const announced = published.slice(2);
    assert.deepEqual(announced.map((p) => readStamp(p.slice(p.indexOf('\n') + 1))?.origin), ['~D', '~D', '~D'], 'announced on behalf of the dead node');
    assert.deepEqual(counts(announced).map(Number), [1, 2, 3], 'with the session\'s own count');
    assert.ok(announced.every((p) => p.startsWith(`${head('D')}\n`)), 'as presence frames of the dead node');
    assert.match(announced[1] ?? '', /"connectionDestroyed","connectionId":"x"/);
    // The lease and session list of the dead node go, unless it renewed.
    await a.renewLease('D', Date.now() + 60_000);
    assert.equal(await b.forgetNode('D', Date.now()), false, 'it renewed: kept');
    await a.renewLease('D', Date.now() - 1);
    assert.equal(await b.forgetNode('D', Date.now()), true);
    assert.equal(await b.leaseOf('D'), undefined);
    assert.deepEqual(await b.nodeSessions('D'), []);
  });

  await t.test('racing nodes: one orphans, one claims, one sets a home', async (t) => {
    const { a, b } = await open(t);
    const now = Date.now();
    const ids = Array.from({ length: 10 }, (_, i) => `m${i}`);
    for (const id of ids) {
      await a.addMember(S, member('D', id), presence('D', id));
    }
    await a.renewLease('D', now - 1);
    const orphan = (id: string) => member('D', id, { orphan: true });
    const orphaned = await Promise.all(ids.flatMap((id) => [a, b].map((s) => s.orphanMember(S, id, 'D', orphan(id), now + 1_000, now, head('D'), '{"type":"x"}'))));
    assert.equal(orphaned.filter(Boolean).length, ids.length, 'each orphaned exactly once');
    const claims = await Promise.all(ids.flatMap((id) => [a, b].map((s, i) => s.claimMember(S, 'D', member(i === 0 ? 'A' : 'B', id)))));
    assert.equal(claims.filter(Boolean).length, ids.length, 'each claimed exactly once');
    const homes = await Promise.all([a, b, a, b].map((s, i) => s.replaceHome('s2', undefined, `home-${i}`)));
    assert.equal(homes.filter(Boolean).length, 1, 'one home wins');
  });

  await t.test('a session\'s home is a compare-and-set', async (t) => {
    const { a, b } = await open(t);
    assert.equal(await a.home(S), undefined);
    assert.equal(await a.replaceHome(S, undefined, 'one'), true);
    assert.equal(await b.replaceHome(S, undefined, 'two'), false, 'taken');
    assert.equal(await b.replaceHome(S, 'other', 'two'), false, 'not what is there');
    assert.equal(await b.replaceHome(S, 'one', 'two'), true);
    assert.equal(await a.home(S), 'two');
    assert.equal(await a.replaceHome(S, 'two', undefined), true, 'given up');
    assert.equal(await b.home(S), undefined);
  });

  await t.test('streams: recorded with their frame, ended, forgotten', async (t) => {
    const { a, b } = await open(t);
    const published = await listen(b);
    const stream = (id: string, node: string, name = '') => ({ node, info: { id, connectionId: 'x', name, hasAudio: true, hasVideo: true, videoType: 'camera', creationTime: 1 } }) as never;
    await a.putStream(S, stream('st1', 'A'), broadcast('A', '1'));
    await a.putStream(S, stream('st1', 'A', 'renamed'), broadcast('A', '2'));
    await b.putStream(S, stream('st2', 'B')); // re-asserted after an outage: no frame
    await b.putStream(S, stream('st3', 'B'));
    assert.deepEqual((await b.streams(S)).map((r) => [r.info.id, r.node, r.info.name]).sort(), [['st1', 'A', 'renamed'], ['st2', 'B', ''], ['st3', 'B', '']]);
    await a.removeStream(S, 'st1', broadcast('A', '3'));
    await b.forgetStreams(S, ['st2', 'nothing']);
    assert.deepEqual((await a.streams(S)).map((r) => r.info.id), ['st3']);
    await waitUntil(() => published.length === 3, 'three stream frames');
    assert.deepEqual(counts(published), ['1', '2', '3']);
  });

  await t.test('calls take effect in call order, without waiting for each', async (t) => {
    const { a, b } = await open(t);
    const published = await listen(b);
    const pending = [a.addMember(S, member('A', 'x'), presence('A', '1'))];
    for (let i = 2; i <= 30; i += 1) {
      pending.push(i % 3 === 0 ? a.writeMember(S, 'x', 'A', member('A', 'x', { info: { id: 'x', data: String(i), creationTime: 1, state: 'active' } }), presence('A', String(i))).then(() => {}) : a.appendFrame(S, broadcast('A', String(i))));
    }
    pending.push(a.writeMember(S, 'x', 'A', undefined, presence('A', '31')).then(() => {}));
    await Promise.all(pending);
    await waitUntil(() => published.length === 31, 'every frame');
    assert.deepEqual(counts(published).map(Number), Array.from({ length: 31 }, (_, i) => i + 1));
    assert.deepEqual(await b.members(S), [], 'the departure came last');
  });

  await t.test('leases: renewed, expired, listed; sessions a node serves; a node that leaves', async (t) => {
    const { a, b } = await open(t);
    const now = Date.now();
    assert.equal(await a.renewLease('A', now + 10_000), true, 'a new lease');
    assert.equal(await a.renewLease('A', now + 20_000), false, 'renewed');
    assert.equal(await b.leaseOf('A'), now + 20_000);
    await b.renewLease('B', now - 5);
    assert.deepEqual(await a.expiredNodes(now, 10), ['B']);
    await a.addMember('s1', member('A', 'x'), presence('A', '1'));
    await a.putMember('s2', member('A', 'y'));
    assert.deepEqual((await b.nodeSessions('A')).sort(), ['s1', 's2']);
    await a.leaveSession('A', 's1');
    assert.deepEqual(await b.nodeSessions('A'), ['s2']);
    await a.dropNode('A');
    assert.equal(await b.leaseOf('A'), undefined);
    assert.deepEqual(await b.nodeSessions('A'), []);
  });
}
