import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '@vigil/test-kit';
import { LinkProbe } from '../src/cluster/link-probe.js';
import { MemorySessionState } from '../src/cluster/memory-session-store.js';
import type { SessionStore } from '../src/cluster/session-store.js';

// The probe that tells a node its store stopped delivering frames to it (`link-probe.ts`), on a memory
// store whose deliveries the test drops: a short gap, a long loss, and the way back.

function probeOn(drop: (seq: number) => boolean) {
  const store = new MemorySessionState().connect();
  const events: string[] = [];
  // The store takes every probe; only its delivery to this node is dropped, as a lost subscription would.
  // (LinkProbe uses only these two.)
  const lossy = {
    subscribe: (sessionId: string) => store.subscribe(sessionId),
    publish: (sessionId: string, frame: string) => (drop(Number(frame)) ? Promise.resolve() : store.publish(sessionId, frame)),
  } as Pick<SessionStore, 'subscribe' | 'publish'> as SessionStore;
  const probe = new LinkProbe({ store: lossy, nodeId: 'n1', intervalMs: 30, timeoutMs: 200, onLost: () => events.push('lost'), onBack: () => events.push('back'), onGap: () => events.push('gap') });
  store.onMessage = (sessionId, frame) => sessionId === probe.channel && probe.heard(frame);
  return { probe, events };
}

test('a probe that never arrives while later ones do is a gap, reported once', async (t) => {
  const { probe, events } = probeOn((seq) => seq === 3);
  t.after(() => probe.stop());
  await probe.start();
  await waitUntil(() => events.length > 0, 'the gap is noticed', 2_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(events, ['gap']);
  assert.equal(probe.lost, false);
});

test('probes unheard past the timeout are a loss; the first heard again is the way back', async (t) => {
  const { probe, events } = probeOn((seq) => seq >= 3 && seq <= 14);
  t.after(() => probe.stop());
  await probe.start();
  await waitUntil(() => events.includes('lost'), 'the loss is noticed', 2_000);
  assert.equal(probe.lost, true);
  await waitUntil(() => events.includes('back'), 'and the way back', 2_000);
  assert.deepEqual(events, ['lost', 'back']);
  assert.equal(probe.lost, false);
});

test('probes that all arrive report nothing', async (t) => {
  const { probe, events } = probeOn(() => false);
  t.after(() => probe.stop());
  await probe.start();
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.deepEqual(events, []);
});
