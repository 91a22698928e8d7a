import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { MediaParticipant, browserClientHandler, launchChromium, startTestServer, type TestServer } from '@vigil/test-kit';

// Publishing that fails or ends on the client: refused devices, a missing camera, a subscriber token,
// and a track that ends while published (mediaStopped).

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser.close();
});

interface Outcome {
  code: string;
  events: string[];
}

/** Opens a page on the server, connects with `role`, and runs `scenario` (page code) against the SDK. */
async function onPage(h: TestServer, sessionId: string, role: 'publisher' | 'subscriber', scenario: string): Promise<{ page: Page; outcome: Outcome }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${h.url}/test-page`);
  const outcome = await page.evaluate(
    async ({ apiKey, sessionId: id, token, body }) => {
      const sdk = (await import('/vigil-client.js' as string)) as typeof import('@vigil/client');
      const session = sdk.initSession(apiKey, id, { lifecycle: false });
      await session.connect(token);
      const events: string[] = [];
      const run = new Function('sdk', 'session', 'events', `return (async () => { ${body} })();`) as (...args: unknown[]) => Promise<string>;
      const code = await run(sdk, session, events);
      (window as unknown as { __session: unknown }).__session = session;
      return { code, events };
    },
    { apiKey: h.apiKey, sessionId, token: h.token(sessionId, { role }), body: scenario },
  );
  return { page, outcome };
}

test('refused camera: accessDenied with MEDIA_ACCESS_DENIED, and publish() rejects with it', async (t) => {
  const h = await startTestServer(t, { httpHandler: browserClientHandler() });
  const { outcome } = await onPage(
    h,
    h.newSessionId(),
    'publisher',
    `
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    const publisher = sdk.initPublisher(undefined, {});
    publisher.on('accessDenied', ({ error }) => events.push('accessDenied:' + error.code));
    try { await session.publish(publisher); return 'published'; } catch (error) { return error.code; }
    `,
  );
  assert.deepEqual(outcome, { code: 'MEDIA_ACCESS_DENIED', events: ['accessDenied:MEDIA_ACCESS_DENIED'] });
});

test('a camera that does not exist: MEDIA_DEVICE_NOT_FOUND', async (t) => {
  const h = await startTestServer(t, { httpHandler: browserClientHandler() });
  const { outcome } = await onPage(
    h,
    h.newSessionId(),
    'publisher',
    `
    const publisher = sdk.initPublisher(undefined, { videoSource: 'no-such-camera', audioSource: false });
    publisher.on('accessDenied', () => events.push('accessDenied'));
    try { await session.publish(publisher); return 'published'; } catch (error) { return error.code; }
    `,
  );
  assert.deepEqual(outcome, { code: 'MEDIA_DEVICE_NOT_FOUND', events: [] });
});

test('a subscriber token cannot publish: NOT_PERMITTED, and the session carries on', async (t) => {
  const h = await startTestServer(t, { httpHandler: browserClientHandler() });
  const { outcome } = await onPage(
    h,
    h.newSessionId(),
    'subscriber',
    `
    const publisher = sdk.initPublisher(undefined, { resolution: '320x240' });
    let code = 'published';
    try { await session.publish(publisher); } catch (error) { code = error.code; }
    publisher.destroy();
    await session.signal({ data: 'still connected' });
    events.push(session.state);
    return code;
    `,
  );
  assert.deepEqual(outcome, { code: 'NOT_PERMITTED', events: ['connected'] });
});

test('a published track that ends: mediaStopped, then streamDestroyed(mediaStopped) for everyone', async (t) => {
  const h = await startTestServer(t, { httpHandler: browserClientHandler() });
  const sessionId = h.newSessionId('routed');
  const viewer = await MediaParticipant.join(browser, `${h.url}/test-page`, { apiKey: h.apiKey, sessionId, token: h.token(sessionId) }, { name: 'Viewer', publish: false });
  t.after(() => viewer.close());
  const { page, outcome } = await onPage(
    h,
    sessionId,
    'publisher',
    `
    const canvas = document.createElement('canvas');
    canvas.getContext('2d').fillRect(0, 0, 10, 10);
    const track = canvas.captureStream(10).getVideoTracks()[0];
    const publisher = sdk.initPublisher(undefined, { videoSource: track, audioSource: false, videoType: 'screen' });
    publisher.on('mediaStopped', () => events.push('mediaStopped'));
    publisher.on('streamDestroyed', ({ reason }) => events.push('streamDestroyed:' + reason));
    await session.publish(publisher);
    window.__track = track;
    window.__events = events;
    return publisher.stream.videoType;
    `,
  );
  t.after(() => page.context().close());
  assert.equal(outcome.code, 'screen');
  const created = await viewer.waitForEvent({ source: 'session', name: 'streamCreated' });
  assert.equal(created.videoType, 'screen');
  // As when the user stops sharing from the browser's own bar: the track ends and says so.
  await page.evaluate(() => {
    const track = (window as unknown as { __track: MediaStreamTrack }).__track;
    track.stop();
    track.dispatchEvent(new Event('ended'));
  });
  const gone = await viewer.waitForEvent({ source: 'session', name: 'streamDestroyed' });
  assert.equal(gone.reason, 'mediaStopped');
  await page.waitForFunction(() => (window as unknown as { __events: string[] }).__events.includes('streamDestroyed:mediaStopped'));
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __events: string[] }).__events), ['mediaStopped', 'streamDestroyed:mediaStopped']);
});
