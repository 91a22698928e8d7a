import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import {
  MediaParticipant,
  browserClientHandler,
  callSdkMethod,
  createOpenTok,
  launchChromium,
  mediaArriving,
  startTestServer,
  waitForMediaFlow,
  waitUntil,
} from '@vigil/test-kit';
import { Room } from './media-scenarios.js';

// The app server's moderator mute, through the official `opentok` SDK, on real publishers in Chromium
// (fake microphone and camera, relayed): the muted publisher really stops sending audio and is told,
// subscribers see why, and the unmute rule is OpenTok's (the publisher may unmute itself, also while
// forceMuteAll is active).

const SIZE = { width: 320, height: 240 };

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser.close();
});

async function room(t: TestContext) {
  const h = await startTestServer(t, { httpHandler: browserClientHandler() });
  return { h, r: new Room(h, browser, h.newSessionId('relayed'), t), ot: createOpenTok(h.apiKey, h.apiSecret, h.url) };
}

type PageWindow = {
  __vigil: {
    events: { source: string; name: string; newValue?: unknown }[];
    session: import('@vigil/client').Session;
    publisher: import('@vigil/client').Publisher | undefined;
  };
};

/** Records the Session's and the Publisher's `muteForced` in the page's event list (the page harness does not). */
async function recordMuteEvents(p: MediaParticipant): Promise<void> {
  await p.page.evaluate(() => {
    const api = (window as unknown as PageWindow).__vigil;
    api.session.on('muteForced', ({ active }) => api.events.push({ source: 'session', name: 'muteForced', newValue: active }));
    api.publisher?.on('muteForced', () => api.events.push({ source: 'publisher', name: 'muteForced' }));
  });
}

function publishingAudio(p: MediaParticipant): Promise<boolean | undefined> {
  return p.page.evaluate(() => (window as unknown as PageWindow).__vigil.publisher?.publishingAudio);
}

test('forceMuteStream: the publisher stops sending audio and gets muteForced; subscribers see forceMuted; the publisher may unmute', async (t) => {
  const { r, ot } = await room(t);
  const [ann, ben] = (await r.join(['Ann', 'Ben'])) as [MediaParticipant, MediaParticipant];
  await recordMuteEvents(ann);
  await recordMuteEvents(ben);
  const annStream = await ann.streamId();
  await waitForMediaFlow(ben, annStream, SIZE);
  const source = `subscriber:${annStream}`;
  const mark = await ben.eventCount();

  const outcome = await callSdkMethod(ot, 'forceMuteStream', r.sessionId, annStream);
  assert.equal(outcome.error, null);
  await ann.waitForEvent({ source: 'publisher', name: 'muteForced' });
  assert.equal(await publishingAudio(ann), false);
  const changed = await ben.waitForEvent({ source: 'session', name: 'streamPropertyChanged', changedProperty: 'hasAudio' }, { from: mark });
  assert.deepEqual([changed.streamId, changed.newValue, changed.reason], [annStream, false, 'forceMuted']);
  assert.equal((await ben.waitForEvent({ source, name: 'audioDisabled' }, { from: mark })).reason, 'forceMuted');
  assert.ok((await mediaArriving(ben, annStream, 'audio')) <= 3, 'no audio from Ann any more');
  assert.ok((await mediaArriving(ben, annStream, 'video', { settleMs: 0 })) > 8, 'her video goes on');
  // One stream muted, no session-wide mute state: nobody got the Session's muteForced, Ben's audio is untouched.
  assert.ok(!(await ann.events()).some((e) => e.source === 'session' && e.name === 'muteForced'));
  assert.equal(await publishingAudio(ben), true);

  // OpenTok lets the muted user unmute: publishAudio(true) works, peers see the publisher's own reason.
  await ann.publishAudio(true);
  assert.equal((await ben.waitForEvent({ source, name: 'audioEnabled' }, { from: mark })).reason, 'publishAudio');
  assert.equal(await publishingAudio(ann), true);
  assert.ok((await mediaArriving(ben, annStream, 'audio')) > 20, 'Ann is heard again');
});

test('forceMuteAll (excluding one stream) and disableForceMute: muteForced active true/false, later publishers muted, unmute allowed', async (t) => {
  const { r, ot } = await room(t);
  const [ann, ben] = (await r.join(['Ann', 'Ben'])) as [MediaParticipant, MediaParticipant];
  await recordMuteEvents(ann);
  await recordMuteEvents(ben);
  const [annStream, benStream] = [await ann.streamId(), await ben.streamId()];
  await waitForMediaFlow(ben, annStream, SIZE);
  await waitForMediaFlow(ann, benStream, SIZE);

  assert.equal((await callSdkMethod(ot, 'forceMuteAll', r.sessionId, { excludedStreamIds: [benStream] })).error, null);
  for (const p of [ann, ben]) {
    assert.equal((await p.waitForEvent({ source: 'session', name: 'muteForced' })).newValue, true);
  }
  await ann.waitForEvent({ source: 'publisher', name: 'muteForced' });
  assert.equal(await publishingAudio(ann), false);
  assert.ok((await mediaArriving(ben, annStream, 'audio')) <= 3, 'Ann is muted');
  assert.equal(await publishingAudio(ben), true, 'the excluded publisher keeps its audio');
  assert.ok(!(await ben.events()).some((e) => e.source === 'publisher' && e.name === 'muteForced'));
  assert.ok((await mediaArriving(ann, benStream, 'audio', { settleMs: 0 })) > 20, 'Ben is still heard');

  // Someone who publishes while the state is active starts muted and is told.
  const [cat] = (await r.join(['Cat'])) as [MediaParticipant];
  await recordMuteEvents(cat);
  const catStream = await cat.streamId();
  assert.equal(await publishingAudio(cat), false);
  // Cat's page has its stream before Ann's streamCreated arrives: wait for Ann to know it.
  let catAtAnn: boolean | undefined;
  await waitUntil(async () => {
    catAtAnn = await ann.page.evaluate((id) => (window as unknown as PageWindow).__vigil.session.streams.find((s) => s.streamId === id)?.hasAudio, catStream);
    return catAtAnn !== undefined;
  }, 'Ann sees Cat\'s stream', 10_000);
  assert.equal(catAtAnn, false);
  await waitForMediaFlow(ann, catStream, { ...SIZE, audio: false });
  assert.ok((await mediaArriving(ann, catStream, 'audio')) <= 3, 'Cat sends no audio');

  // Unmuting is allowed while the state is active (OpenTok's rule).
  await ann.publishAudio(true);
  assert.ok((await mediaArriving(ben, annStream, 'audio')) > 20, 'Ann unmuted herself');

  // disableForceMute: everyone told; the muted stay muted until they unmute.
  const mark = await cat.eventCount();
  assert.equal((await callSdkMethod(ot, 'disableForceMute', r.sessionId)).error, null);
  for (const p of [ann, ben]) {
    await p.waitForEvent({ source: 'session', name: 'muteForced', newValue: false });
  }
  await cat.waitForEvent({ source: 'session', name: 'muteForced', newValue: false }, { from: mark });
  assert.equal(await publishingAudio(cat), false);
  await cat.publishAudio(true);
  assert.ok((await mediaArriving(ann, catStream, 'audio')) > 20, 'Cat unmuted herself');
});
