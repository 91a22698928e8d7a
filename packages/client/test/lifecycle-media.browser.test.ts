import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mediaArriving, waitForMediaFlow } from '@vigil/test-kit';
import { PHONE, phoneRoom } from './phone-room.js';

// Lifecycle rule 1 and 2 on real media: a phone page (mobile policy) publishing camera and mic goes
// hidden; its peer sees hasVideo false with reason background, keeps hearing it, and sees video again
// once the page is visible.

test('mobile page hidden while publishing: peers see hasVideo false (background), audio goes on, video returns', async (t) => {
  const join = await phoneRoom(t);
  const phone = await join('Phone', { userAgent: PHONE });
  const desk = await join('Desk');
  const phoneStream = await phone.streamId();
  await waitForMediaFlow(desk, phoneStream, { width: 320, height: 240 });

  const from = await desk.eventCount();
  await phone.page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  const changed = await desk.waitForEvent({ name: 'streamPropertyChanged', changedProperty: 'hasVideo', newValue: false }, { from, timeoutMs: 10_000 });
  assert.equal(changed.reason, 'background');
  const disabled = await desk.waitForEvent({ name: 'videoDisabled' }, { from, timeoutMs: 10_000 });
  assert.equal(disabled.reason, 'background');
  assert.ok((await mediaArriving(desk, phoneStream, 'audio')) > 0, 'audio keeps flowing in the background');
  assert.equal(await mediaArriving(desk, phoneStream, 'video'), 0, 'no camera video in the background');

  const back = await desk.eventCount();
  await phone.page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await desk.waitForEvent({ name: 'streamPropertyChanged', changedProperty: 'hasVideo', newValue: true }, { from: back, timeoutMs: 10_000 });
  assert.ok((await mediaArriving(desk, phoneStream, 'video')) > 0, 'video frames again after returning');
});
