import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtpGate } from '../src/media/routed/rtp-gate.js';
import { isVp8KeyFrameStart } from '../src/media/routed/vp8.js';

// VP8 payload descriptors (RFC 7741): [X|R|N|S|R|PID] [I|L|T|K|RSV] [M|PictureID…] …, then the frame
// header whose lowest bit P is 0 for a key frame.
const KEY = Uint8Array.from([0x90, 0x80, 0x81, 0x23, 0x10]); // X, S, PID 0; I; 15-bit picture id; P=0
const DELTA = Uint8Array.from([0x90, 0x80, 0x81, 0x24, 0x11]); // same, P=1
const MIDDLE = Uint8Array.from([0x80, 0x80, 0x81, 0x24, 0x10]); // S=0: not the start of a frame

test('VP8 key frames are recognised from the payload descriptor', () => {
  assert.equal(isVp8KeyFrameStart(KEY), true);
  assert.equal(isVp8KeyFrameStart(DELTA), false);
  assert.equal(isVp8KeyFrameStart(MIDDLE), false);
  assert.equal(isVp8KeyFrameStart(Uint8Array.from([0x10, 0x00])), true, 'no extension');
  assert.equal(isVp8KeyFrameStart(Uint8Array.from([0x90, 0xf0, 0x05, 0x01, 0x02, 0x00])), true, 'I (7 bit), L, T/K');
  assert.equal(isVp8KeyFrameStart(Uint8Array.from([0x11, 0x00])), false, 'PID 1');
  for (const cut of [[], [0x90], [0x90, 0x80], [0x90, 0x80, 0x81]]) {
    assert.equal(isVp8KeyFrameStart(Uint8Array.from(cut)), false, `truncated ${cut.length}`);
  }
});

test('video starts at a key frame and after being off resumes at one, with no sequence gap', () => {
  const gate = new RtpGate('video', true);
  assert.equal(gate.pass(100, DELTA), undefined, 'no key frame yet');
  assert.equal(gate.waitingForKeyFrame, true);
  assert.equal(gate.pass(101, KEY), 100);
  assert.equal(gate.pass(102, MIDDLE), 101);
  gate.setEnabled(false);
  assert.equal(gate.pass(103, DELTA), undefined);
  assert.equal(gate.pass(104, KEY), undefined, 'off means off, key frame or not');
  gate.setEnabled(true);
  assert.equal(gate.pass(105, DELTA), undefined, 'waits for the next key frame');
  assert.equal(gate.pass(106, KEY), 102, 'continues right after the last packet sent');
  assert.equal(gate.pass(107, DELTA), 103);
});

test('audio passes at once, and sequence numbers wrap around 2^16', () => {
  const gate = new RtpGate('audio', true);
  assert.equal(gate.pass(65_534, new Uint8Array(1)), 65_534);
  gate.setEnabled(false);
  assert.equal(gate.pass(65_535, new Uint8Array(1)), undefined);
  assert.equal(gate.pass(0, new Uint8Array(1)), undefined);
  gate.setEnabled(true);
  assert.equal(gate.pass(1, new Uint8Array(1)), 65_535);
  assert.equal(gate.pass(2, new Uint8Array(1)), 0);
  assert.equal(new RtpGate('audio', false).pass(5, new Uint8Array(1)), undefined, 'starts off when not subscribed');
});
