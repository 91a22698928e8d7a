import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLifecycleState, transition } from '../src/index.js';
import type {
  LifecycleEffect,
  LifecycleInput,
  LifecycleInputType,
  LifecycleState,
} from '../src/index.js';

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

// App intents, executor results and ticks × every state. Rows read: input → state → effects.
const INPUTS: Record<string, LifecycleInput> = {
  'publisherAdded p2 camera': { type: 'publisherAdded', publisherId: 'p2', source: 'camera', publishVideo: true, publishAudio: true },
  'publisherAdded c1 custom': { type: 'publisherAdded', publisherId: 'c1', source: 'custom', publishVideo: true, publishAudio: true },
  'publisherRemoved p1': { type: 'publisherRemoved', publisherId: 'p1' },
  'subscriberAdded s2': { type: 'subscriberAdded', subscriberId: 's2', source: 'camera', subscribeToVideo: true, subscribeToAudio: true },
  'subscriberRemoved s1': { type: 'subscriberRemoved', subscriberId: 's1' },
  'publishVideo p1 false': { type: 'publishVideo', publisherId: 'p1', value: false },
  'publishVideo p0 true': { type: 'publishVideo', publisherId: 'p0', value: true },
  'publishAudio p0 true': { type: 'publishAudio', publisherId: 'p0', value: true },
  'subscribeToVideo s0 true': { type: 'subscribeToVideo', subscriberId: 's0', value: true },
  'subscribeToAudio s0 true': { type: 'subscribeToAudio', subscriberId: 's0', value: true },
  'publishAudio p1 false': { type: 'publishAudio', publisherId: 'p1', value: false },
  'subscribeToVideo s1 false': { type: 'subscribeToVideo', subscriberId: 's1', value: false },
  'subscribeToAudio s1 false': { type: 'subscribeToAudio', subscriberId: 's1', value: false },
  'videoRestoreVerified p1': { type: 'videoRestoreVerified', publisherId: 'p1' },
  'videoRestoreFailed p1': { type: 'videoRestoreFailed', publisherId: 'p1' },
  'audioRestoreVerified p1': { type: 'audioRestoreVerified', target: 'publisher', id: 'p1' },
  'audioRestoreFailed p1': { type: 'audioRestoreFailed', target: 'publisher', id: 'p1' },
  tick,
};

const TABLE: Record<string, Partial<Record<StateName, string>>> = {
  'publisherAdded p2 camera': {
    background: 'pauseCamera(p2,background)',
    inactive: 'pauseCamera(p2,background)',
    interrupted: 'stopAudio(publisher,p2,interrupted)',
    cameraInterrupted: 'pauseCamera(p2,interrupted)',
    suspended: 'probeConnection(resume,100) pauseCamera(p2,background)',
  },
  'publisherAdded c1 custom': {
    interrupted: 'stopAudio(publisher,c1,interrupted)',
    suspended: 'probeConnection(resume,100)',
  },
  'publisherRemoved p1': {
    suspended: 'probeConnection(resume,100)',
  },
  'subscriberAdded s2': {
    foreground: 'attachVideoRenderer(s2)',
    background: 'deferVideoRenderer(s2) dropSubscriberVideo(s2,background)',
    inactive: 'deferVideoRenderer(s2) dropSubscriberVideo(s2,background)',
    interrupted: 'attachVideoRenderer(s2) stopAudio(subscriber,s2,interrupted)',
    cameraInterrupted: 'attachVideoRenderer(s2)',
    suspended: 'probeConnection(resume,100) deferVideoRenderer(s2) dropSubscriberVideo(s2,background)',
    offline: 'attachVideoRenderer(s2)',
    restoring: 'attachVideoRenderer(s2)',
    retrying: 'attachVideoRenderer(s2)',
    audioRestoring: 'attachVideoRenderer(s2)',
  },
  'subscriberRemoved s1': {
    suspended: 'probeConnection(resume,100)',
  },
  'publishVideo p1 false': {
    foreground: 'setPublishVideo(p1,false,app)',
    background: 'setPublishVideo(p1,false,app)',
    inactive: 'setPublishVideo(p1,false,app)',
    interrupted: 'setPublishVideo(p1,false,app)',
    cameraInterrupted: 'setPublishVideo(p1,false,app)',
    suspended: 'probeConnection(resume,100) setPublishVideo(p1,false,app)',
    offline: 'setPublishVideo(p1,false,app)',
    restoring: 'setPublishVideo(p1,false,app)',
    retrying: 'setPublishVideo(p1,false,app)',
    audioRestoring: 'setPublishVideo(p1,false,app)',
  },
  'publishVideo p0 true': {
    foreground: 'setPublishVideo(p0,true,app)',
    background: 'pauseCamera(p0,background)',
    inactive: 'pauseCamera(p0,background)',
    interrupted: 'setPublishVideo(p0,true,app)',
    cameraInterrupted: 'pauseCamera(p0,interrupted)',
    suspended: 'probeConnection(resume,100) pauseCamera(p0,background)',
    offline: 'setPublishVideo(p0,true,app)',
    restoring: 'setPublishVideo(p0,true,app)',
    retrying: 'setPublishVideo(p0,true,app)',
    audioRestoring: 'setPublishVideo(p0,true,app)',
  },
  'publishAudio p0 true': {
    foreground: 'setPublishAudio(p0,true,app)',
    background: 'setPublishAudio(p0,true,app)',
    inactive: 'setPublishAudio(p0,true,app)',
    interrupted: 'stopAudio(publisher,p0,interrupted)',
    cameraInterrupted: 'setPublishAudio(p0,true,app)',
    suspended: 'probeConnection(resume,100) setPublishAudio(p0,true,app)',
    offline: 'setPublishAudio(p0,true,app)',
    restoring: 'setPublishAudio(p0,true,app)',
    retrying: 'setPublishAudio(p0,true,app)',
    audioRestoring: 'setPublishAudio(p0,true,app)',
  },
  'subscribeToVideo s0 true': {
    foreground: 'setSubscribeToVideo(s0,true,app)',
    background: 'dropSubscriberVideo(s0,background)',
    inactive: 'dropSubscriberVideo(s0,background)',
    interrupted: 'setSubscribeToVideo(s0,true,app)',
    cameraInterrupted: 'setSubscribeToVideo(s0,true,app)',
    suspended: 'probeConnection(resume,100) dropSubscriberVideo(s0,background)',
    offline: 'setSubscribeToVideo(s0,true,app)',
    restoring: 'setSubscribeToVideo(s0,true,app)',
    retrying: 'setSubscribeToVideo(s0,true,app)',
    audioRestoring: 'setSubscribeToVideo(s0,true,app)',
  },
  'subscribeToAudio s0 true': {
    foreground: 'setSubscribeToAudio(s0,true,app)',
    background: 'setSubscribeToAudio(s0,true,app)',
    inactive: 'setSubscribeToAudio(s0,true,app)',
    interrupted: 'stopAudio(subscriber,s0,interrupted)',
    cameraInterrupted: 'setSubscribeToAudio(s0,true,app)',
    suspended: 'probeConnection(resume,100) setSubscribeToAudio(s0,true,app)',
    offline: 'setSubscribeToAudio(s0,true,app)',
    restoring: 'setSubscribeToAudio(s0,true,app)',
    retrying: 'setSubscribeToAudio(s0,true,app)',
    audioRestoring: 'setSubscribeToAudio(s0,true,app)',
  },
  'publishAudio p1 false': {
    foreground: 'setPublishAudio(p1,false,app)',
    background: 'setPublishAudio(p1,false,app)',
    inactive: 'setPublishAudio(p1,false,app)',
    interrupted: 'setPublishAudio(p1,false,app)',
    cameraInterrupted: 'setPublishAudio(p1,false,app)',
    suspended: 'probeConnection(resume,100) setPublishAudio(p1,false,app)',
    offline: 'setPublishAudio(p1,false,app)',
    restoring: 'setPublishAudio(p1,false,app)',
    retrying: 'setPublishAudio(p1,false,app)',
    audioRestoring: 'setPublishAudio(p1,false,app)',
  },
  'subscribeToVideo s1 false': {
    foreground: 'setSubscribeToVideo(s1,false,app)',
    background: 'setSubscribeToVideo(s1,false,app)',
    inactive: 'setSubscribeToVideo(s1,false,app)',
    interrupted: 'setSubscribeToVideo(s1,false,app)',
    cameraInterrupted: 'setSubscribeToVideo(s1,false,app)',
    suspended: 'probeConnection(resume,100) setSubscribeToVideo(s1,false,app)',
    offline: 'setSubscribeToVideo(s1,false,app)',
    restoring: 'setSubscribeToVideo(s1,false,app)',
    retrying: 'setSubscribeToVideo(s1,false,app)',
    audioRestoring: 'setSubscribeToVideo(s1,false,app)',
  },
  'subscribeToAudio s1 false': {
    foreground: 'setSubscribeToAudio(s1,false,app)',
    background: 'setSubscribeToAudio(s1,false,app)',
    inactive: 'setSubscribeToAudio(s1,false,app)',
    interrupted: 'setSubscribeToAudio(s1,false,app)',
    cameraInterrupted: 'setSubscribeToAudio(s1,false,app)',
    suspended: 'probeConnection(resume,100) setSubscribeToAudio(s1,false,app)',
    offline: 'setSubscribeToAudio(s1,false,app)',
    restoring: 'setSubscribeToAudio(s1,false,app)',
    retrying: 'setSubscribeToAudio(s1,false,app)',
    audioRestoring: 'setSubscribeToAudio(s1,false,app)',
  },
  'videoRestoreVerified p1': {
    suspended: 'probeConnection(resume,100)',
  },
  'videoRestoreFailed p1': {
    suspended: 'probeConnection(resume,100)',
    restoring: 'videoRestoreFailed(p1,1,1000)',
  },
  'audioRestoreVerified p1': {
    suspended: 'probeConnection(resume,100)',
  },
  'audioRestoreFailed p1': {
    suspended: 'probeConnection(resume,100)',
    audioRestoring: 'audioRestoreFailed(publisher,p1,1,1000)',
  },
  'tick': {
    restoring: 'videoRestoreFailed(p1,1,1000)',
    retrying: 'restoreCamera(p1,2)',
    audioRestoring: 'audioRestoreFailed(publisher,p1,1,1000) audioRestoreFailed(subscriber,s1,1,1000)',
  },
};

checkTable(TABLE, INPUTS);

test('this table and the platform one (transition.test.ts) cover every input type', () => {
  // A Record over the union fails to compile when an input type is added and not listed here.
  const where: Record<LifecycleInputType, 'platform' | 'here'> = {
    appState: 'platform',
    suspend: 'platform',
    resume: 'platform',
    audioInterruptionBegan: 'platform',
    audioInterruptionEnded: 'platform',
    cameraInterruptionBegan: 'platform',
    cameraInterruptionEnded: 'platform',
    network: 'platform',
    publisherAdded: 'here',
    publisherRemoved: 'here',
    subscriberAdded: 'here',
    subscriberRemoved: 'here',
    publishVideo: 'here',
    publishAudio: 'here',
    subscribeToVideo: 'here',
    subscribeToAudio: 'here',
    videoRestoreVerified: 'here',
    videoRestoreFailed: 'here',
    audioRestoreVerified: 'here',
    audioRestoreFailed: 'here',
    tick: 'here',
  };
  const here = Object.keys(where).filter((type) => where[type as LifecycleInputType] === 'here');
  assert.deepEqual(new Set(Object.values(INPUTS).map((i) => i.type)), new Set(here));
});
