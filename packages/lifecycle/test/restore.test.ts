/** Rules 2 and 5: restores are verified, failures are retried with backoff, then the SDK gives up. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tick } from '@vigil/test-kit';
import { backoffDelayMs, createLifecycleState, nextDeadline, transition } from '../src/index.js';
import type { LifecycleEffect, LifecycleInput, LifecycleOptions, LifecycleState } from '../src/index.js';

/** A camera publisher p1 and a subscriber s1 whose restores are in flight at `now`. */
function restoring(options: LifecycleOptions = {}) {
  let state: LifecycleState = createLifecycleState(options);
  const at = (now: number, input: LifecycleInput): LifecycleEffect[] => {
    const [next, effects] = transition(state, input, now);
    state = next;
    return [...effects];
  };
  at(0, { type: 'publisherAdded', publisherId: 'p1', source: 'camera', publishVideo: true, publishAudio: true });
  at(0, { type: 'subscriberAdded', subscriberId: 's1', source: 'camera', subscribeToVideo: true, subscribeToAudio: true });
  at(0, { type: 'appState', state: 'background' });
  at(0, { type: 'audioInterruptionBegan', reason: 'call' });
  at(1_000, { type: 'appState', state: 'active' });
  at(1_000, { type: 'audioInterruptionEnded' });
  return { at, get state() { return state; } };
}
const types = (effects: LifecycleEffect[]): string[] => effects.map((e) => e.type);

test('backoff doubles from initialDelayMs and is capped at maxDelayMs', () => {
  const retry = { initialDelayMs: 1_000, maxDelayMs: 8_000, maxAttempts: 5 };
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, retry)), [1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
});

test('a verified restore needs no tick and fails nothing', () => {
  const r = restoring();
  assert.equal(nextDeadline(r.state), 3_000);
  r.at(1_500, { type: 'videoRestoreVerified', publisherId: 'p1' });
  r.at(1_500, { type: 'audioRestoreVerified', target: 'publisher', id: 'p1' });
  r.at(1_500, { type: 'audioRestoreVerified', target: 'subscriber', id: 's1' });
  assert.equal(nextDeadline(r.state), null);
  assert.deepEqual(r.at(10_000, tick), []);
});

test('no frames within 2 s: videoRestoreFailed, then retries with backoff until it gives up', () => {
  const r = restoring({ stopAudioOnInterruption: false });
  assert.deepEqual(r.at(2_999, tick), [], 'the deadline is not reached yet');
  const log: string[] = [];
  for (let now = 3_000; now < 60_000; now += 250) {
    for (const e of r.at(now, tick)) {
      log.push(`${now} ${e.type} ${'attempt' in e ? e.attempt : ''} ${'retryInMs' in e ? String(e.retryInMs) : ''}`.trim());
    }
  }
  assert.deepEqual(log, [
    '3000 videoRestoreFailed 1 1000',
    '4000 restoreCamera 2',
    '6000 videoRestoreFailed 2 2000',
    '8000 restoreCamera 3',
    '10000 videoRestoreFailed 3 4000',
    '14000 restoreCamera 4',
    '16000 videoRestoreFailed 4 8000',
    '24000 restoreCamera 5',
    '26000 videoRestoreFailed 5 null',
    '26000 setPublishVideo',
  ]);
  assert.deepEqual(r.state.publishers[0]?.wantsVideo, false);
  // The app may turn it on again, e.g. after asking the user.
  assert.deepEqual(r.at(70_000, { type: 'publishVideo', publisherId: 'p1', value: true }), [
    { type: 'setPublishVideo', publisherId: 'p1', enabled: true, reason: 'app' },
  ]);
});

test('the executor can report a failure early; a late report for a failed attempt is ignored', () => {
  const r = restoring();
  const failed: LifecycleInput = { type: 'videoRestoreFailed', publisherId: 'p1' };
  assert.deepEqual(r.at(1_100, failed), [
    { type: 'videoRestoreFailed', publisherId: 'p1', attempt: 1, retryInMs: 1_000 },
  ]);
  assert.deepEqual(r.at(1_200, failed), []);
  // Frames that show up during the backoff still count: no retry needed.
  r.at(1_300, { type: 'videoRestoreVerified', publisherId: 'p1' });
  assert.equal(r.state.publishers[0]?.videoRestore, null);
});

test('subscriber audio that will not play (needs a user gesture) ends in subscribeToAudio false', () => {
  const r = restoring({ retry: { maxAttempts: 1 } });
  r.at(1_100, { type: 'audioRestoreVerified', target: 'publisher', id: 'p1' });
  r.at(1_100, { type: 'videoRestoreVerified', publisherId: 'p1' });
  assert.deepEqual(r.at(1_200, { type: 'audioRestoreFailed', target: 'subscriber', id: 's1' }), [
    { type: 'audioRestoreFailed', target: 'subscriber', id: 's1', attempt: 1, retryInMs: null },
    { type: 'setSubscribeToAudio', subscriberId: 's1', enabled: false, reason: 'restoreFailed' },
  ]);
});

test('a pause during verification cancels the restore; the next return starts at attempt 1', () => {
  const r = restoring();
  r.at(3_000, tick);
  assert.deepEqual(types(r.at(3_100, { type: 'appState', state: 'background' })), ['pauseCamera', 'dropSubscriberVideo', 'announce']);
  assert.equal(r.state.publishers[0]?.videoRestore, null);
  const [first] = r.at(3_200, { type: 'appState', state: 'active' });
  assert.deepEqual(first, { type: 'restoreCamera', publisherId: 'p1', attempt: 1, verifyBy: 5_200 });
});

test('time spent suspended moves deadlines on, and a frozen process gets no ticks', () => {
  const r = restoring();
  r.at(1_500, { type: 'suspend' });
  assert.equal(nextDeadline(r.state), null);
  assert.deepEqual(r.at(50_000, tick), []);
  assert.equal(types(r.at(61_500, { type: 'resume' }))[0], 'probeConnection');
  assert.equal(nextDeadline(r.state), 63_000, 'verifyBy 3 000 + 60 000 suspended');
  assert.deepEqual(r.at(62_000, tick), []);
  assert.deepEqual(types(r.at(63_000, tick)), ['videoRestoreFailed', 'audioRestoreFailed', 'audioRestoreFailed']);
});
