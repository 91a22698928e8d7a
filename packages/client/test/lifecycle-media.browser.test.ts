import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MediaParticipant, browserClientHandler, launchChromium, mediaArriving, startTestServer, waitForMediaFlow } from '@vigil/test-kit';

// Lifecycle rule 1 and 2 on real media: a phone page (mobile policy) publishing camera and mic goes
// hidden; its peer sees hasVideo false with reason background, keeps hearing it, and sees video again
// once the page is visible.

const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';

test('mobile page hidden while publishing: peers see hasVideo false (background), audio goes on, video returns', async (t) => {
  const h = await startTestServer(t, { httpHandler: browserClientHandler() });
  const sessionId = h.newSessionId('relayed');
  const browser = await launchChromium();
  t.after(() => browser.close());
  const join = (name: string, userAgent?: string): Promise<MediaParticipant> =>
    MediaParticipant.join(browser, `${h.url}/test-page`, { apiKey: h.apiKey, sessionId, token: h.token(sessionId) }, { name, resolution: '320x240', ...(userAgent ? { userAgent } : {}) });
  const phone = await join('Phone', PHONE);
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
