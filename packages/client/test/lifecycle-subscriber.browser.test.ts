import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mediaArriving, waitForMediaFlow } from '@vigil/test-kit';
import { PHONE, SIZE, phoneRoom } from './phone-room.js';

// Lifecycle rules 3 and 5 on the subscribing side, with real media: a phone page (mobile policy) that
// subscribes while hidden plays audio at once and creates its video element only when visible; an
// existing subscriber drops video in the background and takes it back on return; an audio
// interruption mutes what it receives and brings it back when the interruption ends.

/** Polls `check` every 100 ms until it returns true, for at most `timeoutMs`. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`not within ${timeoutMs} ms: ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('phone page subscribing while hidden: audio now, the video element only once visible', async (t) => {
  const join = await phoneRoom(t);
  const phone = await join('Phone', { userAgent: PHONE, publish: false });
  await phone.setHidden(true);
  const desk = await join('Desk');
  const deskStream = await desk.streamId();

  await eventually('the hidden phone subscribed', async () => (await phone.subscriberView(deskStream)).subscribed);
  await waitForMediaFlow(phone, deskStream, { video: false });
  const hidden = await phone.subscriberView(deskStream);
  assert.equal(hidden.hasVideoElement, false, 'no video view while hidden');
  assert.equal(hidden.hasAudioElement, true, 'audio plays through an <audio> element meanwhile');
  assert.equal(await phone.subscriberVideoElements(), 0);
  assert.equal(await mediaArriving(phone, deskStream, 'video'), 0, 'no video is requested in the background');
  assert.ok(!(await phone.events()).some((e) => e.name === 'videoElementCreated'), 'no videoElementCreated yet');

  const mark = await phone.eventCount();
  await phone.setHidden(false);
  await phone.waitForEvent({ source: `subscriber:${deskStream}`, name: 'videoElementCreated' }, { from: mark });
  await waitForMediaFlow(phone, deskStream, SIZE);
  await eventually('the video element renders frames', async () => {
    const view = await phone.subscriberView(deskStream);
    return view.hasVideoElement && view.videoWidth === SIZE.width && view.renderedFrames > 0;
  });
  const visible = await phone.subscriberView(deskStream);
  assert.equal(visible.hasAudioElement, false, 'the <audio> stand-in is gone: audio now plays from the video element');
  assert.equal(await phone.subscriberVideoElements(), 1);
});

test('existing subscriber on a phone page: video dropped in the background (reason background), back on return', async (t) => {
  const join = await phoneRoom(t);
  const phone = await join('Phone', { userAgent: PHONE, publish: false });
  const desk = await join('Desk');
  const deskStream = await desk.streamId();
  await waitForMediaFlow(phone, deskStream, SIZE);
  const source = `subscriber:${deskStream}`;

  const mark = await phone.eventCount();
  await phone.setHidden(true);
  const disabled = await phone.waitForEvent({ source, name: 'videoDisabled' }, { from: mark });
  assert.equal(disabled.reason, 'background');
  assert.ok((await mediaArriving(phone, deskStream, 'video')) <= 3, 'the peer stops sending video to the hidden phone');
  assert.ok((await mediaArriving(phone, deskStream, 'audio', { settleMs: 0 })) > 20, 'audio goes on in the background');
  assert.equal((await phone.subscriberView(deskStream)).hasVideoElement, true, 'the existing view stays');
  assert.ok(!(await desk.events()).some((e) => e.name === 'videoDisabled'), 'the publisher is not told');

  const back = await phone.eventCount();
  await phone.setHidden(false);
  const enabled = await phone.waitForEvent({ source, name: 'videoEnabled' }, { from: back });
  assert.equal(enabled.reason, 'background');
  await waitForMediaFlow(phone, deskStream, SIZE);
});

test('audio interruption on a phone page: received audio muted (reason interrupted), restored and verified when it ends', async (t) => {
  const join = await phoneRoom(t);
  const phone = await join('Phone', { userAgent: PHONE, publish: false });
  const desk = await join('Desk');
  const deskStream = await desk.streamId();
  await waitForMediaFlow(phone, deskStream, SIZE);
  const source = `subscriber:${deskStream}`;
  const receivedAudioEnabled = (): Promise<boolean | undefined> =>
    phone.page.evaluate(
      (id) => (window as unknown as { __vigil: { subscribers: Map<string, { mediaStream?: MediaStream }> } }).__vigil.subscribers.get(id)?.mediaStream?.getAudioTracks()[0]?.enabled,
      deskStream,
    );

  const mark = await phone.eventCount();
  const deskMark = await desk.eventCount();
  await phone.lifecycleInput({ type: 'audioInterruptionBegan', reason: 'call' });
  const disabled = await phone.waitForEvent({ source, name: 'audioDisabled' }, { from: mark });
  assert.equal(disabled.reason, 'interrupted');
  assert.equal(await receivedAudioEnabled(), false, 'the received audio track is muted here');
  const told = await desk.waitForEvent({ name: 'connectionStateChanged', state: 'interrupted' }, { from: deskMark });
  assert.equal(told.reason, 'call');

  const back = await phone.eventCount();
  await phone.lifecycleInput({ type: 'audioInterruptionEnded' });
  const enabled = await phone.waitForEvent({ source, name: 'audioEnabled' }, { from: back });
  assert.equal(enabled.reason, 'interrupted');
  assert.equal(await receivedAudioEnabled(), true);
  await waitForMediaFlow(phone, deskStream, { video: false });
  // The restore is verified (packets arrive) within its 2 s window: no failure is reported after it.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  assert.ok(!(await phone.events(back)).some((e) => e.name === 'audioRestoreFailed'), 'no audioRestoreFailed');
});
