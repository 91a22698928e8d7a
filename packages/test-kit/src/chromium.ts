import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Flags measured to work here (testing-media.md): fake devices, loopback WebRTC, no background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
] as const;

/** Debian's Chromium, or `VIGIL_CHROMIUM` when set. Throws with the install command when missing. */
export function chromiumPath(): string {
  const candidates = [process.env['VIGIL_CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((path): path is string => Boolean(path) && existsSync(path as string));
  if (!found) {
    throw new Error('Chromium not found: run `sudo apt-get install -y chromium` (or set VIGIL_CHROMIUM)');
  }
  return found;
}

/**
 * Launches one headless Chromium; close it with `browser.close()` (the test's `after`). A `tag` is put on
 * its command line so `processTreeByMarker(tag)` can find exactly this browser's processes.
 */
export async function launchChromium(options: { tag?: string } = {}): Promise<Browser> {
  const args: string[] = [...CHROMIUM_ARGS];
  if (options.tag) {
    args.push(`--vigil-test-tag=${options.tag}`);
  }
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args });
}
