import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startRedis, waitUntil } from '@vigil/test-kit';
import { encodeBusFrame } from '../src/cluster/bus-frame.js';
import { readStamp } from '../src/cluster/frame-stamp.js';
import { RedisKeys } from '../src/cluster/redis-keys.js';
import { SessionLog } from '../src/cluster/session-log.js';

// The compare-and-set rules of a deployment's member records and session log (`session-log.ts`), on a
// real redis-server: who may write a member, when survivors may orphan or end it, what a takeover reads.

const SESSION = 's1';
const record = (node: string, id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ node, info: { id, data: '', creationTime: 1, state: 'active' }, ...extra });
const frame = (node: string, text: string, to?: string) =>
  to === undefined
    ? encodeBusFrame({ kind: 'broadcast', node, except: '', droppable: false, member: false, payload: `{"vo":"${node}.${text}","type":"signal","data":"${text}"}` })
    : encodeBusFrame({ kind: 'direct', node, to, droppable: true, payload: `{"vo":"${node}.${text}","type":"signal","data":"${text}"}` });
const head = (node: string) => encodeBusFrame({ kind: 'broadcast', node, except: '', droppable: false, member: true, payload: '' }).slice(0, -1);

async function setup(t: import('node:test').TestContext) {
  const server = await startRedis();
  t.after(() => server.stop());
  const redis = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const sub = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  t.after(() => {
    redis.disconnect();
    sub.disconnect();
  });
  await Promise.all([redis.connect(), sub.connect()]);
  const keys = new RedisKeys('t:');
  const published: string[] = [];
  sub.on('message', (_channel: string, message: string) => published.push(message));
  await sub.subscribe(keys.channel(SESSION));
  return { redis, keys, published, log: new SessionLog(redis, keys, { maxLen: 1_000, ttlMs: 60_000 }) };
}

test('a takeover reads the member and every frame logged after its join, with the requests its signals answered', async (t) => {
  const { redis, keys, log, published } = await setup(t);
  await log.frame(SESSION, frame('A', '1')); // before x joined: not part of its history
  await redis.hset(keys.members(SESSION), 'x', record('A', 'x'));
  const multi = redis.multi();
  log.joinIn(multi, SESSION, 'x', encodeBusFrame({ kind: 'broadcast', node: 'A', except: 'x', droppable: false, member: true, payload: '{"type":"connectionCreated"}' }));
  await multi.exec();
  await log.frame(SESSION, frame('B', '2'));
  await log.frame(SESSION, frame('A', '3'), { sender: 'x', requestId: 41 });
  await log.frame(SESSION, frame('A', '4', 'x'), undefined, false); // logged, not published (a local direct)
  const history = await log.history(SESSION, 'x');
  assert.ok(history);
  assert.deepEqual(
    history.entries.map((e) => readStamp(e.frame.kind === 'kick' ? '' : e.frame.payload)?.n),
    ['2', '3', '4'],
  );
  assert.deepEqual(history.entries.map((e) => e.requestId ?? 0), [0, 41, 0]);
  assert.equal(history.entries[1]?.sender, 'x');
  await waitUntil(() => published.length === 4, 'four frames published');
  assert.ok(!published.some((p) => p.includes('"data":"4"')), 'the local direct was not published');
  assert.equal(await log.history(SESSION, 'nobody'), undefined);
});

test('member writes yield to whoever holds the record now, and to a tombstone', async (t) => {
  const { redis, keys, log, published } = await setup(t);
  await redis.hset(keys.members(SESSION), 'x', record('A', 'x'));
  assert.equal(await log.memberWrite(SESSION, 'x', 'A', 'set', record('A', 'x', { resume: { media: true } }), frame('A', '1')), '');
  assert.match((await redis.hget(keys.members(SESSION), 'x')) ?? '', /media/);
  // B took x over: A (which stalled) may neither change nor delete it, and publishes nothing.
  await redis.hset(keys.members(SESSION), 'x', record('B', 'x'));
  assert.equal(await log.memberWrite(SESSION, 'x', 'A', 'set', record('A', 'x'), frame('A', '2')), 'B');
  assert.equal(await log.memberWrite(SESSION, 'x', 'A', 'del', '', frame('A', '3')), 'B');
  assert.match((await redis.hget(keys.members(SESSION), 'x')) ?? '', /"node":"B"/);
  // Absent after Redis lost its data: written again. Absent because survivors ended it: the reason.
  assert.equal(await log.memberWrite(SESSION, 'y', 'A', 'set', record('A', 'y'), ''), '');
  await redis.hset(keys.gone(SESSION), 'z', 'suspended');
  assert.equal(await log.memberWrite(SESSION, 'z', 'A', 'set', record('A', 'z'), frame('A', '4')), '!suspended');
  assert.equal(await redis.hexists(keys.members(SESSION), 'z'), 0);
  assert.equal(await log.reassert(SESSION, 'z', 'A', record('A', 'z')), '!suspended');
  assert.equal(await log.reassert(SESSION, 'x', 'A', record('A', 'x')), 'B');
  assert.equal(await log.reassert(SESSION, 'y', 'A', record('A', 'y')), '');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(published.map((p) => readStamp(p.slice(p.indexOf('\n') + 1))?.n), ['1'], 'only the write that went through was published');
});

test('survivors orphan a member only while its node\'s lease is out, once; end it once, past its grace; a claim wins over both', async (t) => {
  const { redis, keys, log, published } = await setup(t);
  const orphan = (id: string) => ({ orphan: record('D', id, { orphan: true }), graceEndsAt: Date.now() + 5_000 });
  const payload = (id: string) => `{"type":"connectionStateChanged","connectionId":"${id}","state":"reconnecting"}`;
  await redis.hset(keys.members(SESSION), 'x', record('D', 'x'), 'y', record('D', 'y'));
  await redis.zadd(keys.nodes, Date.now() + 60_000, 'D'); // D renewed: it is alive
  assert.equal(await log.reap(SESSION, 'x', 'D', orphan('x'), head('D'), payload('x')), false, 'a live node keeps its members');
  await redis.zadd(keys.nodes, Date.now() - 1, 'D');
  assert.equal(await log.reap(SESSION, 'x', 'D', orphan('x'), head('D'), payload('x')), true);
  assert.equal(await log.reap(SESSION, 'x', 'D', orphan('x'), head('D'), payload('x')), false, 'once');
  assert.equal(await redis.zscore(keys.orphans, `${SESSION} x`) !== null, true, 'its grace is scheduled with it');
  assert.equal(await log.reap(SESSION, 'y', 'D', { destroy: 'networkDisconnected' }, head('D'), '{"type":"connectionDestroyed"}'), false, 'not orphaned yet: not ended');
  // x is ended past its grace: record and join gone, a tombstone left, its schedule removed; once.
  assert.equal(await log.reap(SESSION, 'x', 'D', { destroy: 'networkDisconnected' }, head('D'), '{"type":"connectionDestroyed"}'), true);
  assert.equal(await log.reap(SESSION, 'x', 'D', { destroy: 'networkDisconnected' }, head('D'), '{"type":"connectionDestroyed"}'), false);
  assert.equal(await redis.hexists(keys.members(SESSION), 'x'), 0);
  assert.equal(await redis.hget(keys.gone(SESSION), 'x'), 'networkDisconnected');
  assert.equal(await redis.zscore(keys.orphans, `${SESSION} x`), null);
  // y is orphaned, then claimed by B: the survivors can no longer end it, nor can D claim it back.
  assert.equal(await log.reap(SESSION, 'y', 'D', orphan('y'), head('D'), payload('y')), true);
  assert.equal(await log.claim(SESSION, 'y', 'D', record('B', 'y')), true);
  assert.equal(await log.claim(SESSION, 'y', 'D', record('C', 'y')), false, 'a second claim loses');
  assert.equal(await log.reap(SESSION, 'y', 'D', { destroy: 'networkDisconnected' }, head('D'), '{"type":"connectionDestroyed"}'), false);
  await waitUntil(() => published.length === 3, 'three announcements');
  const stamps = published.map((p) => readStamp(p.slice(p.indexOf('\n') + 1)));
  assert.deepEqual(stamps.map((s) => s?.origin), ['~D', '~D', '~D'], 'announced on behalf of the dead node');
  assert.deepEqual(stamps.map((s) => Number(s?.n)), [1, 2, 3], 'in increasing order');
  assert.ok(published.every((p) => p.startsWith(head('D'))), 'as presence frames of the dead node');
});
