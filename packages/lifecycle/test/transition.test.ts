import { active, background, call, checkTable, inactive, type StateName } from '@vigil/test-kit';
import type { LifecycleInput } from '../src/index.js';

// The named inputs, STATES (each reached from BASE) and checkTable are shared: test-kit's lifecycle-fixtures.ts.

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
