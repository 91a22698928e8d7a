import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForMediaFlow, type MediaParticipant } from '@vigil/test-kit';
import { PHONE, SIZE, phoneRoom } from './phone-room.js';

// Lifecycle rule 2's verification on real media: when a phone page returns to the foreground, the SDK
// turns the camera back on and checks that frames really flow (RTP stats) within 2 s. A camera that
// gives no frames yields `videoRestoreFailed`, and the retry opens the camera again.

async function pair(t: import('node:test').TestContext): Promise<{ phone: MediaParticipant; desk: MediaParticipant; phoneStream: string }> {
  const join = await phoneRoom(t);
  const phone = await join('Phone', { userAgent: PHONE });
  const desk = await join('Desk');
  const phoneStream = await phone.streamId();
  await waitForMediaFlow(desk, phoneStream, SIZE);
  return { phone, desk, phoneStream };
}

async function toBackground(phone: MediaParticipant, desk: MediaParticipant): Promise<void> {
  const from = await desk.eventCount();
  await phone.setHidden(true);
  await desk.waitForEvent({ name: 'streamPropertyChanged', changedProperty: 'hasVideo', newValue: false, reason: 'background' }, { from });
}

/** Polls the phone's engine until its camera restore is settled (verified or given up), up to `timeoutMs`. */
async function restoreSettles(phone: MediaParticipant, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await phone.videoRestore()) !== null) {
    if (Date.now() > deadline) {
      throw new Error(`restore not settled within ${timeoutMs} ms: ${JSON.stringify(await phone.videoRestore())}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('camera restore on return is verified by frames within 2 s; no videoRestoreFailed', async (t) => {
  const { phone, desk, phoneStream } = await pair(t);
  await toBackground(phone, desk);

  const mark = await phone.eventCount();
  await phone.setHidden(false);
  const started = await phone.videoRestore();
  assert.equal(started?.phase, 'verifying', 'returning starts a verified restore');
  assert.equal(started?.attempt, 1);
  // Settled before its 2 s deadline, with no failure: the SDK saw frames being encoded and sent.
  await restoreSettles(phone, 2_000);
  await waitForMediaFlow(desk, phoneStream, SIZE);
  // Past the deadline nothing fails late either.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const failures = (await phone.events(mark)).filter((e) => e.name === 'videoRestoreFailed');
  assert.deepEqual(failures, []);
});

test('a camera that gives no frames on return: videoRestoreFailed, then the retry opens the camera again', async (t) => {
  const { phone, desk, phoneStream } = await pair(t);
  await toBackground(phone, desk);
  await phone.breakCamera();
  assert.equal(await phone.cameraLive(), false);

  const mark = await phone.eventCount();
  await phone.setHidden(false);
  const failed = await phone.waitForEvent({ source: 'publisher', name: 'videoRestoreFailed' }, { from: mark, timeoutMs: 5_000 });
  assert.equal(failed.attempt, 1);
  assert.equal(failed.retryInMs, 1_000, 'retried after the first backoff step');

  // Attempt 2 re-acquires the camera (getUserMedia) and sends the new track: frames flow again.
  await restoreSettles(phone, 8_000);
  assert.equal(await phone.cameraLive(), true, 'a fresh camera track');
  await waitForMediaFlow(desk, phoneStream, SIZE);
  const failures = (await phone.events(mark)).filter((e) => e.name === 'videoRestoreFailed');
  assert.equal(failures.length, 1, 'the retry succeeded');
  assert.ok(!(await phone.events(mark)).some((e) => e.name === 'streamDestroyed'), 'the stream survived');
});
