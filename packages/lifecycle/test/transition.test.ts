import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLifecycleState, transition } from '../src/index.js';
import type { LifecycleEffect, LifecycleInput, LifecycleState } from '../src/index.js';

// Every test file stands alone (Node runs each .js under test/ as a test), hence this small preamble.

const background: LifecycleInput = { type: 'appState', state: 'background' };
const active: LifecycleInput = { type: 'appState', state: 'active' };
const inactive: LifecycleInput = { type: 'appState', state: 'inactive' };
const call: LifecycleInput = { type: 'audioInterruptionBegan', reason: 'call' };
const tick: LifecycleInput = { type: 'tick' };

// p1 publishes camera video and audio; p0 is a camera publisher the app turned fully off.
// s1 receives video and audio; s0 receives nothing. So "restore only what the SDK paused" is visible.
const BASE: LifecycleInput[] = [
  { type: 'publisherAdded', publisherId: 'p1', source: 'camera', publishVideo: true, publishAudio: true },
  { type: 'publisherAdded', publisherId: 'p0', source: 'camera', publishVideo: false, publishAudio: false },
  { type: 'subscriberAdded', subscriberId: 's1', source: 'camera', subscribeToVideo: true, subscribeToAudio: true },
  { type: 'subscriberAdded', subscriberId: 's0', source: 'camera', subscribeToVideo: false, subscribeToAudio: false },
];

/** The states of the table, each reached from BASE by these inputs (mobile policy, defaults). */
const STATES = {
  foreground: [],
  background: [background],
  inactive: [background, inactive],
  interrupted: [call],
  cameraInterrupted: [{ type: 'cameraInterruptionBegan' }],
  suspended: [background, { type: 'suspend' }],
  offline: [{ type: 'network', status: 'offline' }],
  restoring: [background, active],
  retrying: [background, active, tick],
  audioRestoring: [call, { type: 'audioInterruptionEnded' }],
} satisfies Record<string, LifecycleInput[]>;
type StateName = keyof typeof STATES;

/** Ticks jump 5 s, past any verify deadline or first backoff; other inputs come 100 ms apart. */
const stepMs = (input: LifecycleInput): number => (input.type === 'tick' ? 5_000 : 100);

function build(name: StateName): { state: LifecycleState; now: number } {
  let state = createLifecycleState();
  let now = 0;
  for (const input of [...BASE, ...STATES[name]]) {
    now += stepMs(input);
    [state] = transition(state, input, now);
  }
  return { state, now };
}

/** `type(field,field…)`, leaving out absolute deadlines, which other tests check. */
function show(effects: readonly LifecycleEffect[]): string {
  return effects
    .map((e) => {
      const fields = Object.entries(e).filter(([k]) => !['type', 'verifyBy', 'deadlineMs'].includes(k));
      return `${e.type}(${fields.map(([, v]) => String(v)).join(',')})`;
    })
    .join(' ');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) {
      deepFreeze(v);
    }
  }
  return value;
}

/** Runs every state of STATES against every input of `rows`; unlisted states expect no effects. */
function checkTable(rows: Record<string, Partial<Record<StateName, string>>>, inputs: Record<string, LifecycleInput>): void {
  for (const [name, input] of Object.entries(inputs)) {
    test(`${name}, in every state`, () => {
      const expected = rows[name];
      assert.ok(expected, `no table row for ${name}`);
      const actual: Partial<Record<StateName, string>> = {};
      for (const stateName of Object.keys(STATES) as StateName[]) {
        const { state, now } = build(stateName);
        const before = JSON.stringify(state);
        const [, effects] = transition(deepFreeze(state), input, now + stepMs(input));
        assert.equal(JSON.stringify(state), before, 'transition must not modify its input state');
        if (effects.length > 0) {
          actual[stateName] = show(effects);
        }
      }
      assert.deepEqual(actual, expected);
    });
  }
}

// Platform signals (lifecycle.md, "Inputs") × every state. Rows read: input → state → effects.
const INPUTS: Record<string, LifecycleInput> = {
  'appState active': active,
  'appState inactive': inactive,
  'appState background': background,
  suspend: { type: 'suspend' },
  resume: { type: 'resume' },
  'audioInterruptionBegan call': call,
  audioInterruptionEnded: { type: 'audioInterruptionEnded' },
  cameraInterruptionBegan: { type: 'cameraInterruptionBegan' },
  cameraInterruptionEnded: { type: 'cameraInterruptionEnded' },
  'network offline': { type: 'network', status: 'offline' },
  'network online': { type: 'network', status: 'online' },
};

const TABLE: Record<string, Partial<Record<StateName, string>>> = {
  'appState active': {
    background: 'restoreCamera(p1,1) restoreSubscriberVideo(s1) announce(active,foreground)',
    inactive: 'restoreCamera(p1,1) restoreSubscriberVideo(s1) announce(active,foreground)',
    suspended: 'probeConnection(resume,100) restoreCamera(p1,1) restoreSubscriberVideo(s1) announce(active,foreground)',
  },
  'appState inactive': {
    suspended: 'probeConnection(resume,100)',
  },
  'appState background': {
    foreground: 'pauseCamera(p1,background) dropSubscriberVideo(s1,background) announce(background,background)',
    interrupted: 'pauseCamera(p1,background) dropSubscriberVideo(s1,background) warn(backgroundWithoutMedia)',
    cameraInterrupted: 'dropSubscriberVideo(s1,background) announce(background,background)',
    suspended: 'probeConnection(resume,100)',
    offline: 'pauseCamera(p1,background) dropSubscriberVideo(s1,background) announce(background,background)',
    restoring: 'pauseCamera(p1,background) dropSubscriberVideo(s1,background) announce(background,background)',
    retrying: 'pauseCamera(p1,background) dropSubscriberVideo(s1,background) announce(background,background)',
    audioRestoring: 'pauseCamera(p1,background) dropSubscriberVideo(s1,background) announce(background,background)',
  },
  'suspend': {},
  'resume': {
    foreground: 'probeConnection(resume,null)',
    background: 'probeConnection(resume,null)',
    inactive: 'probeConnection(resume,null)',
    interrupted: 'probeConnection(resume,null)',
    cameraInterrupted: 'probeConnection(resume,null)',
    suspended: 'probeConnection(resume,100)',
    restoring: 'probeConnection(resume,null)',
    retrying: 'probeConnection(resume,null)',
    audioRestoring: 'probeConnection(resume,null)',
  },
  'audioInterruptionBegan call': {
    foreground: 'stopAudio(publisher,p1,interrupted) stopAudio(subscriber,s1,interrupted) announce(interrupted,call)',
    background: 'stopAudio(publisher,p1,interrupted) stopAudio(subscriber,s1,interrupted) announce(interrupted,call) warn(backgroundWithoutMedia)',
    inactive: 'stopAudio(publisher,p1,interrupted) stopAudio(subscriber,s1,interrupted) announce(interrupted,call) warn(backgroundWithoutMedia)',
    cameraInterrupted: 'stopAudio(publisher,p1,interrupted) stopAudio(subscriber,s1,interrupted) announce(interrupted,call)',
    suspended: 'probeConnection(resume,100) stopAudio(publisher,p1,interrupted) stopAudio(subscriber,s1,interrupted) announce(interrupted,call) warn(backgroundWithoutMedia)',
    offline: 'stopAudio(publisher,p1,interrupted) stopAudio(subscriber,s1,interrupted) announce(interrupted,call)',
    restoring: 'stopAudio(publisher,p1,interrupted) stopAudio(subscriber,s1,interrupted) announce(interrupted,call)',
    retrying: 'stopAudio(publisher,p1,interrupted) stopAudio(subscriber,s1,interrupted) announce(interrupted,call)',
    audioRestoring: 'stopAudio(publisher,p1,interrupted) stopAudio(subscriber,s1,interrupted) announce(interrupted,call)',
  },
  'audioInterruptionEnded': {
    interrupted: 'restoreAudio(publisher,p1,1) restoreAudio(subscriber,s1,1) announce(active,foreground)',
    suspended: 'probeConnection(resume,100)',
  },
  'cameraInterruptionBegan': {
    foreground: 'pauseCamera(p1,interrupted)',
    interrupted: 'pauseCamera(p1,interrupted)',
    suspended: 'probeConnection(resume,100)',
    offline: 'pauseCamera(p1,interrupted)',
    restoring: 'pauseCamera(p1,interrupted)',
    retrying: 'pauseCamera(p1,interrupted)',
    audioRestoring: 'pauseCamera(p1,interrupted)',
  },
  'cameraInterruptionEnded': {
    cameraInterrupted: 'restoreCamera(p1,1)',
    suspended: 'probeConnection(resume,100)',
  },
  'network offline': {},
  'network online': {
    suspended: 'probeConnection(resume,100)',
    offline: 'probeConnection(online,null)',
  },
};

checkTable(TABLE, INPUTS);
