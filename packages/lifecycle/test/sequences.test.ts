/**
 * Every input sequence up to depth 5 over a small alphabet, checking invariants after every step. The
 * checks replay the effects into a model of what the device and the peers see, built only from the
 * inputs sent and the effects returned, and compare it with the engine's own state.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  announcedStateOf,
  createLifecycleState,
  isPublisherAudioOn,
  isPublisherVideoOn,
  isSubscriberAudioOn,
  isSubscriberVideoOn,
  transition,
} from '../src/index.js';
import type {
  LifecycleEffect,
  LifecycleInput,
  LifecycleOptions,
  LifecycleState,
  ResolvedLifecycleOptions,
} from '../src/index.js';

/**
 * One media flag as the model sees it: what the app asked for (from inputs), whether it is on (from
 * effects; peers see the same through hasVideo/hasAudio), whether a pause/stop/drop is still open
 * (not yet matched by its restore, by the app taking over, or by removal), whether a restore is being
 * verified. Slots are copied on write, so a world is cloned with one shallow Map copy per node.
 */
interface Slot {
  readonly app: boolean;
  readonly on: boolean;
  readonly open: boolean;
  readonly verifying: boolean;
}
interface World {
  /** Keyed `video:<publisher>`, `audio:publisher:<id>`, `subvideo:<subscriber>`, `audio:subscriber:<id>`. */
  slots: Map<string, Slot>;
  /** Subscriber id → its view: `none` (not decided), `deferred`, `attached`. */
  renderers: Map<string, string>;
  bg: boolean;
  call: boolean;
  cameraTaken: boolean;
  suspended: boolean;
  announced: string;
  warned: boolean;
  warnedNow: boolean;
}
const clone = (w: World): World => ({ ...w, slots: new Map(w.slots), renderers: new Map(w.renderers) });
const slot = (w: World, key: string): Slot => w.slots.get(key) ?? assert.fail(`no slot ${key}`);
const update = (w: World, key: string, change: Partial<Slot>): void => {
  w.slots.set(key, { ...slot(w, key), ...change });
};

const sub2: LifecycleInput = {
  type: 'subscriberAdded', subscriberId: 's2', source: 'camera', subscribeToVideo: true, subscribeToAudio: true,
};
// Toggles flip what the app last asked for, or end what began, so one letter covers both directions.
const ALPHABET: Record<string, (w: World) => LifecycleInput> = {
  background: () => ({ type: 'appState', state: 'background' }),
  active: () => ({ type: 'appState', state: 'active' }),
  inactive: () => ({ type: 'appState', state: 'inactive' }),
  call: (w) => (w.call ? { type: 'audioInterruptionEnded' } : { type: 'audioInterruptionBegan', reason: 'call' }),
  camera: (w) => ({ type: w.cameraTaken ? 'cameraInterruptionEnded' : 'cameraInterruptionBegan' }),
  publishVideo: (w) => ({ type: 'publishVideo', publisherId: 'p1', value: !slot(w, 'video:p1').app }),
  publishAudio: (w) => ({ type: 'publishAudio', publisherId: 'p1', value: !slot(w, 'audio:publisher:p1').app }),
  subscribeToVideo: (w) => ({ type: 'subscribeToVideo', subscriberId: 's1', value: !slot(w, 'subvideo:s1').app }),
  subscriber2: (w) => (w.renderers.has('s2') ? { type: 'subscriberRemoved', subscriberId: 's2' } : sub2),
  tick: () => ({ type: 'tick' }),
  suspend: () => ({ type: 'suspend' }),
};
const BASE: LifecycleInput[] = [
  { type: 'publisherAdded', publisherId: 'p1', source: 'camera', publishVideo: true, publishAudio: true },
  { type: 'subscriberAdded', subscriberId: 's1', source: 'camera', subscribeToVideo: true, subscribeToAudio: true },
];
// Brings the app back to a plain foreground: afterwards every pause must have been matched.
const DRAIN: LifecycleInput[] = [
  { type: 'resume' },
  { type: 'cameraInterruptionEnded' },
  { type: 'audioInterruptionEnded' },
  { type: 'appState', state: 'active' },
];

function applyInput(w: World, input: LifecycleInput): void {
  const added = (key: string, value: boolean): void => {
    w.slots.set(key, { app: value, on: value, open: false, verifying: false });
  };
  switch (input.type) {
    case 'appState':
      w.bg = input.state === 'background' || (input.state === 'inactive' && w.bg);
      return;
    case 'audioInterruptionBegan':
    case 'audioInterruptionEnded':
      w.call = input.type === 'audioInterruptionBegan';
      return;
    case 'cameraInterruptionBegan':
    case 'cameraInterruptionEnded':
      w.cameraTaken = input.type === 'cameraInterruptionBegan';
      return;
    case 'publisherAdded':
      assert.equal(input.source, 'camera', 'the model knows camera publishers only');
      added(`video:${input.publisherId}`, input.publishVideo);
      added(`audio:publisher:${input.publisherId}`, input.publishAudio);
      return;
    case 'subscriberAdded':
      added(`subvideo:${input.subscriberId}`, input.subscribeToVideo);
      added(`audio:subscriber:${input.subscriberId}`, input.subscribeToAudio);
      w.renderers.set(input.subscriberId, 'none');
      return;
    case 'subscriberRemoved':
      w.slots.delete(`subvideo:${input.subscriberId}`);
      w.slots.delete(`audio:subscriber:${input.subscriberId}`);
      w.renderers.delete(input.subscriberId);
      return;
    case 'publishVideo':
      return update(w, `video:${input.publisherId}`, { app: input.value });
    case 'publishAudio':
      return update(w, `audio:publisher:${input.publisherId}`, { app: input.value });
    case 'subscribeToVideo':
      return update(w, `subvideo:${input.subscriberId}`, { app: input.value });
    default:
      return;
  }
}

/** Replays one effect into the model, checking the rules that concern a single effect. */
function applyEffect(w: World, e: LifecycleEffect, rules: ResolvedLifecycleOptions): void {
  const restore = (key: string): void => {
    assert.ok(slot(w, key).app, `${e.type}: restored ${key}, which the app turned off`);
    update(w, key, { on: true, open: false, verifying: true });
  };
  const pause = (key: string): void => {
    assert.ok(!slot(w, key).open, `${e.type}: ${key} paused twice`);
    update(w, key, { on: false, open: true, verifying: false });
  };
  const set = (key: string, enabled: boolean, reason: string): void => {
    if (reason === 'app') {
      assert.equal(enabled, slot(w, key).app, `${e.type} disagrees with the app's call`);
    } else {
      assert.equal(enabled, false, 'the SDK only ever turns a flag off on its own');
    }
    // After the SDK gives up, the app reads the flag as off.
    update(w, key, { app: enabled, on: enabled, open: false, verifying: false });
  };
  const failed = (key: string, retryInMs: number | null): void => {
    assert.ok(slot(w, key).verifying, `${e.type} for ${key} with no restore in progress`);
    update(w, key, { verifying: retryInMs !== null });
  };
  // Checked on each effect, not only between steps: the camera must not even blink on.
  const cameraOn = (): void => {
    assert.ok(!(rules.pauseCameraInBackground && w.bg), 'camera turned on in the background');
    assert.ok(!w.cameraTaken, 'camera turned on while the OS has taken it');
  };
  switch (e.type) {
    case 'pauseCamera': return pause(`video:${e.publisherId}`);
    case 'restoreCamera':
      cameraOn();
      return restore(`video:${e.publisherId}`);
    case 'setPublishVideo':
      if (e.enabled) {
        cameraOn();
      }
      return set(`video:${e.publisherId}`, e.enabled, e.reason);
    case 'stopAudio': return pause(`audio:${e.target}:${e.id}`);
    case 'restoreAudio': return restore(`audio:${e.target}:${e.id}`);
    case 'setPublishAudio': return set(`audio:publisher:${e.publisherId}`, e.enabled, e.reason);
    case 'setSubscribeToAudio': return set(`audio:subscriber:${e.subscriberId}`, e.enabled, e.reason);
    case 'dropSubscriberVideo': return pause(`subvideo:${e.subscriberId}`);
    case 'restoreSubscriberVideo': return restore(`subvideo:${e.subscriberId}`);
    case 'setSubscribeToVideo': return set(`subvideo:${e.subscriberId}`, e.enabled, e.reason);
    case 'deferVideoRenderer':
      w.renderers.set(e.subscriberId, 'deferred');
      return;
    case 'attachVideoRenderer':
      assert.ok(!(rules.deferRenderersInBackground && w.bg), 'new video view in the background');
      w.renderers.set(e.subscriberId, 'attached');
      return;
    case 'announce':
      assert.notEqual(e.state, w.announced, 'announced the same state twice');
      w.announced = e.state;
      return;
    case 'warn':
      assert.ok(!w.warned, 'warned twice in one episode');
      w.warned = w.warnedNow = true;
      return;
    case 'videoRestoreFailed': return failed(`video:${e.publisherId}`, e.retryInMs);
    case 'audioRestoreFailed': return failed(`audio:${e.target}:${e.id}`, e.retryInMs);
    case 'probeConnection':
      return;
  }
}

/** The rules that hold between steps: peers see what the engine holds, and the camera stays dark. */
function checkWorld(w: World, state: LifecycleState): void {
  assert.equal(w.announced, announcedStateOf(state).state, 'peers see another connection state');
  for (const p of state.publishers) {
    const video = slot(w, `video:${p.id}`);
    const audio = slot(w, `audio:publisher:${p.id}`);
    assert.equal(video.on, isPublisherVideoOn(p), `peers see another hasVideo for ${p.id}`);
    assert.equal(audio.on, isPublisherAudioOn(p), `peers see another hasAudio for ${p.id}`);
    assert.equal(video.open, p.videoPausedFor.length > 0, `pause of ${p.id} out of step`);
    assert.equal(audio.open, p.audioStopped, `audio stop of ${p.id} out of step`);
  }
  for (const s of state.subscribers) {
    const video = slot(w, `subvideo:${s.id}`);
    const audio = slot(w, `audio:subscriber:${s.id}`);
    assert.equal(video.on, isSubscriberVideoOn(s), `video flag of ${s.id}`);
    assert.equal(audio.on, isSubscriberAudioOn(s), `audio flag of ${s.id}`);
    assert.equal(video.open, s.videoDropped, `video drop of ${s.id} out of step`);
    assert.equal(audio.open, s.audioStopped, `audio stop of ${s.id} out of step`);
    assert.equal(w.renderers.get(s.id), s.renderer, `renderer of ${s.id}`);
  }
  let media = false;
  for (const s of w.slots.values()) {
    media ||= s.on;
  }
  const lonely = w.bg && !media;
  assert.ok(!w.warnedNow || lonely, 'warned while the app is in front or has media');
  assert.ok(!lonely || w.warned, 'backgrounded without media and no warning');
  w.warned = lonely;
  w.warnedNow = false;
}

function step(w: World, state: LifecycleState, input: LifecycleInput, now: number): LifecycleState {
  applyInput(w, input);
  const [next, effects] = transition(state, input, now);
  // Rule 7: the first thing done after a suspension is probing the socket (always online here).
  if (w.suspended && input.type !== 'tick' && input.type !== 'suspend') {
    assert.equal(effects[0]?.type, 'probeConnection', 'no probe first after a suspension');
    w.suspended = false;
  }
  w.suspended ||= input.type === 'suspend';
  for (const e of effects) {
    applyEffect(w, e, state.options);
  }
  checkWorld(w, next);
  return next;
}

/** Visits every sequence of `depth` letters after BASE; returns how many it checked. */
function explore(options: LifecycleOptions, depth: number): number {
  const letters = Object.entries(ALPHABET);
  let state = createLifecycleState(options);
  const root: World = {
    slots: new Map(), renderers: new Map(), bg: false, call: false, cameraTaken: false,
    suspended: false, announced: 'active', warned: false, warnedNow: false,
  };
  let now = 0;
  for (const input of BASE) {
    state = step(root, state, input, (now += 100));
  }
  let sequences = 0;
  const path: string[] = [];
  const visit = (w: World, s: LifecycleState, t: number, left: number): void => {
    if (left === 0) {
      sequences += 1;
      return;
    }
    // Drained here rather than at the leaves: the per-step check already ties every open pause to the
    // engine's state, so this only has to show the engine lets go of them, at a twelfth of the cost.
    const d = clone(w);
    let ds = s;
    let dt = t;
    for (const input of DRAIN) {
      ds = step(d, ds, input, (dt += 100));
    }
    const open = [...d.slots].filter(([, v]) => v.open).map(([k]) => k);
    const deferred = [...d.renderers].filter(([, v]) => v === 'deferred').map(([k]) => k);
    assert.deepEqual([...open, ...deferred], [], `after ${path.join(' ')} and a return to the foreground`);
    for (const [name, make] of letters) {
      const next = clone(w);
      const input = make(next);
      const at = t + (input.type === 'tick' ? 3_000 : 100);
      path.push(name);
      try {
        visit(next, step(next, s, input, at), at, left - 1);
      } catch (error) {
        if (error instanceof assert.AssertionError && !error.message.includes(' | after: ')) {
          error.message += ` | after: ${path.join(' ')}`;
        }
        throw error;
      } finally {
        path.pop();
      }
    }
  };
  visit(root, state, now, depth);
  return sequences;
}

const letters = Object.keys(ALPHABET).length;

test(`mobile policy: all ${letters}^5 sequences keep the invariants`, () => {
  assert.equal(explore({}, 5), letters ** 5);
});

// One attempt only, so that restores that are never verified reach the give-up early in a sequence.
test('mobile policy, no restore retries: all sequences up to depth 4', () => {
  explore({ retry: { maxAttempts: 1 } }, 4);
});

test('desktop policy (camera kept in a hidden tab): all sequences up to depth 4', () => {
  explore({ policy: 'desktop' }, 4);
});

test('desktop policy with pauseCameraInBackground: all sequences up to depth 4', () => {
  explore({ policy: 'desktop', pauseCameraInBackground: true }, 4);
});

test('automatic camera restore switched off: all sequences up to depth 4', () => {
  explore({ restoreCamera: false }, 4);
});
