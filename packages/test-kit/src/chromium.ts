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

/** Launches one headless Chromium; close it with `browser.close()` (the test's `after`). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_ARGS] });
}
