import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IosSimulator } from '@vigil/test-kit';

// The seed's CAN / CANNOT lists and "losing control", played on the simulated iOS device. Each scenario
// asserts what the app's media does and what its peers see, and that no OS rule was broken.

test('CAN keep the session and an audio-only call going in the background; CANNOT use the camera', () => {
  const device = new IosSimulator();
  device.publish('cam');
  device.subscribe('remote');
  device.goBackground();
  device.advance(60_000);
  assert.equal(device.appState, 'background', 'active media keeps the app running');
  assert.equal(device.cameraOn.get('cam'), false);
  assert.deepEqual(device.peer.video['cam'], { on: false, reason: 'background' });
  assert.equal(device.peer.audio['cam']?.on, true, 'audio goes on');
  assert.equal(device.peer.connectionState, 'background');
  assert.deepEqual(device.violations, []);
});

test('CAN resume camera video as soon as it is active again, and peers see it back', () => {
  const device = new IosSimulator();
  device.publish('cam');
  device.goBackground();
  device.advance(1_000);
  device.goForeground();
  assert.equal(device.cameraOn.get('cam'), true);
  assert.deepEqual(device.peer.video['cam'], { on: true, reason: 'publishVideo' });
  assert.equal(device.peer.connectionState, 'active');
  assert.deepEqual(device.violations, []);
});

test('CAN publish video from a custom source in the background', () => {
  const device = new IosSimulator();
  device.publish('canvas', 'custom');
  device.goBackground();
  assert.equal(device.peer.video['canvas']?.on, true);
  assert.ok(!device.effects.some((e) => e.type === 'pauseCamera'));
});

test('CAN change publishVideo in the background; the toggle is honoured on return, never overriding the app', () => {
  const device = new IosSimulator();
  device.publish('cam');
  device.publishVideo('cam', false);
  device.goBackground();
  device.goForeground();
  assert.equal(device.cameraOn.get('cam'), false, 'the app turned it off: it stays off');
  device.goBackground();
  device.publishVideo('cam', true); // user asks for video while backgrounded
  assert.equal(device.cameraOn.get('cam'), false, 'not in the background');
  device.goForeground();
  assert.equal(device.cameraOn.get('cam'), true, 'honoured on return');
  assert.deepEqual(device.violations, []);
});

test('CANNOT set up new video views in the background: subscribing there defers the renderer', () => {
  const device = new IosSimulator();
  device.publish('mic-only', 'camera', { video: false, audio: true });
  device.goBackground();
  device.subscribe('late');
  assert.ok(!device.renderers.has('late'));
  device.goForeground();
  assert.ok(device.renderers.has('late'));
  assert.deepEqual(device.violations, []);
});

test('CANNOT keep audio during a phone call: stopped as interrupted, restored after, peers told', () => {
  const device = new IosSimulator();
  device.publish('cam');
  device.incomingCall('call');
  assert.deepEqual(device.peer.audio['cam'], { on: false, reason: 'interrupted' });
  assert.equal(device.peer.connectionState, 'interrupted');
  assert.equal(device.appState, 'suspended', 'the OS suspends the app during the call');
  device.advance(30_000);
  device.callEnded();
  assert.equal(device.peer.audio['cam']?.on, true);
  assert.equal(device.peer.connectionState, 'active');
  assert.deepEqual(device.violations, []);
});

test('CANNOT stop another app taking the audio session: audio stopped with reason interrupted', () => {
  const device = new IosSimulator();
  device.publish('cam');
  device.otherAppTakesAudio();
  assert.deepEqual(device.peer.audio['cam'], { on: false, reason: 'interrupted' });
});

test('CANNOT stay connected without an active publisher or subscriber: warned, then suspended by the OS', () => {
  const device = new IosSimulator({ suspendAfterMs: 3_000 });
  device.goBackground();
  assert.deepEqual(device.warnings, ['backgroundWithoutMedia']);
  device.advance(2_999);
  assert.equal(device.appState, 'background');
  device.advance(1);
  assert.equal(device.appState, 'suspended');
  device.goForeground();
  assert.ok(device.effects.some((e) => e.type === 'probeConnection'), 'on resume the SDK probes the socket first');
});
