/**
 * The seed's lists (lifecycle.md: what an app in the background CAN and CANNOT do), each as a named
 * scenario, plus "losing control" and the desktop policy.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { active, background, showEffect } from '@vigil/test-kit';
import { createLifecycleState, hasActiveMedia, isPublisherVideoOn, transition } from '../src/index.js';
import type { LifecycleEffect, LifecycleInput, LifecycleOptions, LifecycleState } from '../src/index.js';

/** A scripted session: `send` returns the effects as `type(fields…)` strings, deadlines left out. */
function session(options: LifecycleOptions = {}) {
  let state: LifecycleState = createLifecycleState(options);
  let now = 1_000;
  const last: LifecycleEffect[] = [];
  const s = {
    get state() {
      return state;
    },
    get now() {
      return now;
    },
    /** The raw effects of the last `send`. */
    last,
    wait(ms: number) {
      now += ms;
      return s;
    },
    send(...inputs: LifecycleInput[]): string[] {
      last.length = 0;
      for (const input of inputs) {
        const [next, effects] = transition(state, input, (now += 10));
        state = next;
        last.push(...effects);
      }
      return last.map(showEffect);
    },
  };
  return s;
}

const camera = (id: string, publishVideo = true, publishAudio = true): LifecycleInput => ({
  type: 'publisherAdded', publisherId: id, source: 'camera', publishVideo, publishAudio,
});
const subscriber = (id: string, subscribeToVideo = true, subscribeToAudio = true): LifecycleInput => ({
  type: 'subscriberAdded', subscriberId: id, source: 'camera', subscribeToVideo, subscribeToAudio,
});

// CAN

test('CAN keep its session connected: it announces the background, and probes on resume', () => {
  const s = session();
  s.send(camera('p1'), subscriber('s1'));
  assert.ok(s.send(background).includes('announce(background,background)'));
  s.send({ type: 'suspend' });
  s.wait(60_000);
  assert.deepEqual(s.send({ type: 'resume' }), ['probeConnection(resume,60010)']);
  assert.equal(s.last[0]?.type === 'probeConnection' && s.last[0].deadlineMs, 1_500);
});

test('CAN keep an audio-only session going: publisher and subscriber audio go on, no warning', () => {
  const s = session();
  s.send(camera('p1', false, true), subscriber('s1', false, true));
  assert.deepEqual(s.send(background), ['announce(background,background)']);
  assert.ok(hasActiveMedia(s.state));
});

test('CAN change publishAudio, publishVideo, subscribeToAudio, subscribeToVideo in the background', () => {
  const s = session();
  s.send(camera('p1'), camera('p2', false), subscriber('s1'), subscriber('s2', false));
  s.send(background);
  assert.deepEqual(s.send({ type: 'publishAudio', publisherId: 'p1', value: false }), ['setPublishAudio(p1,false,app)']);
  assert.deepEqual(s.send({ type: 'subscribeToAudio', subscriberId: 's1', value: false }), ['setSubscribeToAudio(s1,false,app)']);
  // Video toggles are recorded now and honoured on return: off stays off, on comes on.
  assert.deepEqual(s.send({ type: 'publishVideo', publisherId: 'p1', value: false }), ['setPublishVideo(p1,false,app)']);
  assert.deepEqual(s.send({ type: 'publishVideo', publisherId: 'p2', value: true }), ['pauseCamera(p2,background)']);
  assert.deepEqual(s.send({ type: 'subscribeToVideo', subscriberId: 's2', value: true }), ['dropSubscriberVideo(s2,background)']);
  assert.deepEqual(s.send(active), [
    'restoreCamera(p2,1)',
    'restoreSubscriberVideo(s1)',
    'restoreSubscriberVideo(s2)',
    'announce(active,foreground)',
  ]);
});

test('CAN publish video from a custom or screen source: it keeps publishing', () => {
  const s = session();
  s.send(
    { type: 'publisherAdded', publisherId: 'c1', source: 'custom', publishVideo: true, publishAudio: false },
    { type: 'publisherAdded', publisherId: 'sc1', source: 'screen', publishVideo: true, publishAudio: false },
  );
  assert.deepEqual(s.send(background), ['announce(background,background)']);
  assert.ok(s.state.publishers.every(isPublisherVideoOn));
  // A custom publisher added in the background starts sending video at once.
  s.send({ type: 'publisherAdded', publisherId: 'c2', source: 'custom', publishVideo: true, publishAudio: true });
  assert.deepEqual(s.last, []);
});

test('CAN resume camera video as soon as it is active again, verified within 2 s', () => {
  const s = session();
  s.send(camera('p1'));
  s.send(background);
  assert.deepEqual(s.send(active), ['restoreCamera(p1,1)', 'announce(active,foreground)']);
  assert.deepEqual(s.last[0], { type: 'restoreCamera', publisherId: 'p1', attempt: 1, verifyBy: s.now + 2_000 });
});

// CANNOT

test('CANNOT use the camera as a video source: paused, and nothing turns it on until active', () => {
  const s = session();
  s.send(camera('p1'));
  assert.deepEqual(s.send(background), ['pauseCamera(p1,background)', 'announce(background,background)']);
  assert.deepEqual(s.send(camera('p2')), ['pauseCamera(p2,background)']);
  assert.deepEqual(s.send({ type: 'cameraInterruptionBegan' }, { type: 'cameraInterruptionEnded' }), []);
  assert.deepEqual(s.send({ type: 'appState', state: 'inactive' }), [], 'inactive is not active yet');
  assert.ok(s.state.publishers.every((p) => !isPublisherVideoOn(p)));
  assert.deepEqual(s.send(active), ['restoreCamera(p1,1)', 'restoreCamera(p2,1)', 'announce(active,foreground)']);
});

test('CANNOT set up new video views: the renderer is deferred, audio plays now', () => {
  const s = session();
  s.send(subscriber('s1'));
  s.send(background);
  assert.deepEqual(s.send(subscriber('s2')), ['deferVideoRenderer(s2)', 'dropSubscriberVideo(s2,background)']);
  assert.equal(s.state.subscribers.find((x) => x.id === 's2')?.renderer, 'deferred');
  assert.deepEqual(s.send(active), [
    'restoreSubscriberVideo(s1)',
    'attachVideoRenderer(s2)',
    'restoreSubscriberVideo(s2)',
    'announce(active,foreground)',
  ]);
});

test('CANNOT keep its audio during a phone or FaceTime call: stopped with reason interrupted', () => {
  const s = session();
  s.send(camera('p1'), subscriber('s1'));
  assert.deepEqual(s.send({ type: 'audioInterruptionBegan', reason: 'facetime' }), [
    'stopAudio(publisher,p1,interrupted)',
    'stopAudio(subscriber,s1,interrupted)',
    'announce(interrupted,facetime)',
  ]);
  assert.deepEqual(s.send({ type: 'audioInterruptionEnded' }), [
    'restoreAudio(publisher,p1,1)',
    'restoreAudio(subscriber,s1,1)',
    'announce(active,foreground)',
  ]);
});

test('CANNOT stop other apps from taking the audio session: restored when they let go', () => {
  const s = session();
  s.send(camera('p1', false, true), subscriber('s1', false, false));
  s.send(background);
  assert.deepEqual(s.send({ type: 'audioInterruptionBegan', reason: 'otherApp' }), [
    'stopAudio(publisher,p1,interrupted)',
    'announce(interrupted,otherApp)',
    'warn(backgroundWithoutMedia)',
  ]);
  // Still in the background: audio works there, so it is restored at once.
  assert.deepEqual(s.send({ type: 'audioInterruptionEnded' }), [
    'restoreAudio(publisher,p1,1)',
    'announce(background,background)',
  ]);
});

test('CANNOT keep its connection without an active publisher or subscriber: warned once per episode', () => {
  const s = session();
  s.send(subscriber('s1', true, false));
  // The subscriber's video is dropped in the background, so nothing flows any more.
  assert.deepEqual(s.send(background), [
    'dropSubscriberVideo(s1,background)',
    'announce(background,background)',
    'warn(backgroundWithoutMedia)',
  ]);
  assert.deepEqual(s.send(subscriber('s2')), ['deferVideoRenderer(s2)', 'dropSubscriberVideo(s2,background)']);
  assert.deepEqual(s.send({ type: 'subscriberRemoved', subscriberId: 's2' }), ['warn(backgroundWithoutMedia)']);
});

test('losing control: a call suspends the app; on resume it probes first and is not failed for the gap', () => {
  const s = session();
  s.send(camera('p1'));
  s.send(background, active);
  s.send({ type: 'audioInterruptionBegan', reason: 'call' }, { type: 'suspend' });
  s.wait(300_000);
  // A tick delivered to a frozen process does nothing; the next sign of life is a resume.
  assert.deepEqual(s.send({ type: 'tick' }), []);
  assert.deepEqual(s.send({ type: 'audioInterruptionEnded' }), [
    'probeConnection(resume,300020)',
    'restoreAudio(publisher,p1,1)',
    'announce(active,foreground)',
  ]);
});

test('desktop policy: a hidden tab announces background but keeps its camera and creates views', () => {
  const s = session({ policy: 'desktop' });
  s.send(camera('p1'), subscriber('s1'));
  assert.deepEqual(s.send(background), ['dropSubscriberVideo(s1,background)', 'announce(background,background)']);
  assert.deepEqual(s.send(subscriber('s2')), ['attachVideoRenderer(s2)', 'dropSubscriberVideo(s2,background)']);
  const optedIn = session({ policy: 'desktop', pauseCameraInBackground: true, dropVideoInBackground: false });
  optedIn.send(camera('p1'));
  assert.deepEqual(optedIn.send(background), ['pauseCamera(p1,background)', 'announce(background,background)']);
});
