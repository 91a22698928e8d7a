import type { TestContext } from 'node:test';
import { MediaParticipant, browserClientHandler, launchChromium, startTestServer, type MediaParticipantOptions } from '@vigil/test-kit';

/** An iPhone's user agent: the SDK applies the mobile lifecycle policy to a page that sends it. */
export const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';
export const SIZE = { width: 320, height: 240 };

/**
 * A relayed session on a real server and one Chromium (closed when the test ends). Returns `join`,
 * which opens a page in it at 320x240; pass `userAgent: PHONE` for a phone.
 */
export async function phoneRoom(t: TestContext): Promise<(name: string, options?: Partial<MediaParticipantOptions>) => Promise<MediaParticipant>> {
  const h = await startTestServer(t, { httpHandler: browserClientHandler() });
  const sessionId = h.newSessionId('relayed');
  const browser = await launchChromium();
  t.after(() => browser.close());
  return (name, options = {}) =>
    MediaParticipant.join(browser, `${h.url}/test-page`, { apiKey: h.apiKey, sessionId, token: h.token(sessionId) }, { name, resolution: '320x240', ...options });
}
