/** Policies, defaults, validation, and switching each automatic behaviour off. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { active, background } from '@vigil/test-kit';
import { createLifecycleState, resolveLifecycleOptions, transition } from '../src/index.js';
import type { LifecycleInput, LifecycleOptions } from '../src/index.js';

/** Effect types produced by `inputs`, after a camera publisher p1 and a subscriber s1 were added. */
function effectsOf(options: LifecycleOptions, ...inputs: LifecycleInput[]): string[] {
  let state = createLifecycleState(options);
  const setup: LifecycleInput[] = [
    { type: 'publisherAdded', publisherId: 'p1', source: 'camera', publishVideo: true, publishAudio: true },
    { type: 'subscriberAdded', subscriberId: 's1', source: 'camera', subscribeToVideo: true, subscribeToAudio: true },
  ];
  for (const input of setup) {
    [state] = transition(state, input, 0);
  }
  const out: string[] = [];
  for (const [i, input] of inputs.entries()) {
    const [next, effects] = transition(state, input, 100 * (i + 1));
    state = next;
    out.push(...effects.map((e) => e.type));
  }
  return out;
}

test('defaults: mobile policy, everything automatic, 2 s verification', () => {
  assert.deepEqual(resolveLifecycleOptions(), {
    policy: 'mobile',
    pauseCameraInBackground: true,
    deferRenderersInBackground: true,
    restoreCamera: true,
    dropVideoInBackground: true,
    stopAudioOnInterruption: true,
    warnBackgroundWithoutMedia: true,
    probeOnResume: true,
    verifyTimeoutMs: 2_000,
    probeDeadlineMs: 1_500,
    retry: { initialDelayMs: 1_000, maxDelayMs: 8_000, maxAttempts: 5 },
  });
  const desktop = resolveLifecycleOptions({ policy: 'desktop' });
  assert.equal(desktop.pauseCameraInBackground, false);
  assert.equal(desktop.deferRenderersInBackground, false);
  assert.equal(desktop.dropVideoInBackground, true);
});

test('bad options are a TypeError, including switching off what the OS enforces on mobile', () => {
  const bad: unknown[] = [
    { pauseCameraInBackground: false },
    { policy: 'mobile', deferRenderersInBackground: false },
    { policy: 'tv' },
    { verifyTimeoutMs: 0 },
    { probeDeadlineMs: Number.NaN },
    { retry: { initialDelayMs: -1 } },
    { retry: { maxDelayMs: Number.POSITIVE_INFINITY } },
    { retry: { maxAttempts: 0 } },
    { retry: { maxAttempts: 1.5 } },
    { appState: 'sleeping' },
  ];
  for (const options of bad) {
    assert.throws(() => createLifecycleState(options as LifecycleOptions), TypeError, JSON.stringify(options));
  }
  assert.doesNotThrow(() => createLifecycleState({ policy: 'desktop', pauseCameraInBackground: false }));
});

test('starting in the background: announced as background, and warned at the first input', () => {
  const state = createLifecycleState({ appState: 'background' });
  assert.equal(state.backgrounded, true);
  assert.equal(state.announced, 'background');
  const [, effects] = transition(state, { type: 'network', status: 'online' }, 0);
  assert.deepEqual(effects, [{ type: 'warn', code: 'backgroundWithoutMedia' }]);
});

test('dropVideoInBackground: false keeps subscribers receiving video', () => {
  assert.deepEqual(effectsOf({ dropVideoInBackground: false }, background), ['pauseCamera', 'announce']);
});

test('stopAudioOnInterruption: false leaves audio and the announced state alone', () => {
  const call: LifecycleInput = { type: 'audioInterruptionBegan', reason: 'call' };
  assert.deepEqual(effectsOf({ stopAudioOnInterruption: false }, call, { type: 'audioInterruptionEnded' }), []);
});

test('warnBackgroundWithoutMedia: false never warns', () => {
  const off: LifecycleInput[] = [
    { type: 'publishAudio', publisherId: 'p1', value: false },
    { type: 'subscribeToAudio', subscriberId: 's1', value: false },
  ];
  assert.ok(effectsOf({}, ...off, background).includes('warn'));
  assert.ok(!effectsOf({ warnBackgroundWithoutMedia: false }, ...off, background).includes('warn'));
});

test('probeOnResume: false never probes', () => {
  const inputs: LifecycleInput[] = [
    { type: 'suspend' },
    { type: 'resume' },
    { type: 'network', status: 'offline' },
    { type: 'network', status: 'online' },
  ];
  assert.deepEqual(effectsOf({}, ...inputs), ['probeConnection', 'probeConnection']);
  assert.deepEqual(effectsOf({ probeOnResume: false }, ...inputs), []);
});

test('restoreCamera: false hands the paused camera back to the app, turned off', () => {
  let state = createLifecycleState({ restoreCamera: false });
  const steps: LifecycleInput[] = [
    { type: 'publisherAdded', publisherId: 'p1', source: 'camera', publishVideo: true, publishAudio: true },
    background,
  ];
  for (const input of steps) {
    [state] = transition(state, input, 0);
  }
  const [next, effects] = transition(state, active, 100);
  assert.deepEqual(effects, [
    { type: 'setPublishVideo', publisherId: 'p1', enabled: false, reason: 'restoreDisabled' },
    { type: 'announce', state: 'active', reason: 'foreground' },
  ]);
  assert.equal(next.publishers[0]?.wantsVideo, false);
});

test('desktop policy: opting in to deferring renderers defers them in a hidden tab', () => {
  const sub2: LifecycleInput = {
    type: 'subscriberAdded', subscriberId: 's2', source: 'camera', subscribeToVideo: false, subscribeToAudio: true,
  };
  assert.deepEqual(effectsOf({ policy: 'desktop' }, background, sub2), ['dropSubscriberVideo', 'announce', 'attachVideoRenderer']);
  assert.deepEqual(effectsOf({ policy: 'desktop', deferRenderersInBackground: true }, background, sub2), [
    'dropSubscriberVideo',
    'announce',
    'deferVideoRenderer',
  ]);
});
