import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLifecycleEngine, type LifecycleOptions } from '@vigil/lifecycle';
import { ManualClock } from '@vigil/test-kit';
import { counterRises, FLOW_POLL_MS } from '../src/media/flow-check.js';
import { planSubscriber } from '../src/media/lifecycle-subscriber.js';

// The two pure-ish pieces behind the subscriber and restore behaviour, without a browser: the start
// plan a new subscriber gets from the engine, and the counter check used to verify restores.

const init = { source: 'camera', subscribeToVideo: true, subscribeToAudio: true } as const;

function engineIn(appState: 'active' | 'background', lifecycle: LifecycleOptions = {}) {
  const clock = new ManualClock();
  const engine = createLifecycleEngine({ clock, lifecycle: { appState, ...lifecycle }, execute: () => undefined });
  return { engine, clock };
}

test('plan: in the background (mobile) a new subscriber defers its view and requests no video', () => {
  const { engine, clock } = engineIn('background');
  const before = engine.state;
  assert.deepEqual(planSubscriber(engine, clock, init), { deferRenderer: true, dropVideo: true });
  assert.equal(engine.state, before, 'a dry run: the engine records nothing');
});

test('plan: active, a new subscriber starts normally', () => {
  const { engine, clock } = engineIn('active');
  assert.deepEqual(planSubscriber(engine, clock, init), { deferRenderer: false, dropVideo: false });
});

test('plan: desktop policy keeps views in the background; dropVideoInBackground:false keeps video', () => {
  const desktop = engineIn('background', { policy: 'desktop' });
  assert.deepEqual(planSubscriber(desktop.engine, desktop.clock, init), { deferRenderer: false, dropVideo: true });
  const keep = engineIn('background', { dropVideoInBackground: false });
  assert.deepEqual(planSubscriber(keep.engine, keep.clock, init), { deferRenderer: true, dropVideo: false });
  const noVideo = engineIn('background');
  assert.deepEqual(planSubscriber(noVideo.engine, noVideo.clock, { ...init, subscribeToVideo: false }), { deferRenderer: true, dropVideo: false });
});

/** Runs `counterRises` on a manual clock, advancing it one poll at a time (bounded). */
async function runRises(values: number[], stillWanted: () => boolean, maxSamples: number): Promise<{ result: boolean; reads: number }> {
  const clock = new ManualClock();
  let reads = 0;
  const read = async (): Promise<number> => values[Math.min(reads++, values.length - 1)] as number;
  let settled: boolean | undefined;
  const running = counterRises(read, clock, stillWanted, maxSamples).then((r) => (settled = r));
  for (let i = 0; i < maxSamples + 5 && settled === undefined; i += 1) {
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(FLOW_POLL_MS);
  }
  return { result: await running, reads };
}

test('counterRises: true once the counter rises above its first value', async () => {
  const { result, reads } = await runRises([10, 10, 10, 11], () => true, 20);
  assert.equal(result, true);
  assert.equal(reads, 4);
});

test('counterRises: false when it never rises within maxSamples (no frames flowed)', async () => {
  const { result, reads } = await runRises([5], () => true, 20);
  assert.equal(result, false);
  assert.equal(reads, 21, 'the baseline plus one read per sample, then it stops');
});

test('counterRises: stops as soon as the engine no longer waits for this attempt', async () => {
  let wanted = true;
  let calls = 0;
  const { result } = await runRises([1], () => {
    calls += 1;
    if (calls > 3) {
      wanted = false;
    }
    return wanted;
  }, 50);
  assert.equal(result, false);
  assert.ok(calls < 10, `polled ${calls} times`);
});
