import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkTable, tick, type StateName } from '@vigil/test-kit';
import type { LifecycleInput, LifecycleInputType } from '../src/index.js';

// The named inputs, STATES (each reached from BASE) and checkTable are shared: test-kit's lifecycle-fixtures.ts.

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
