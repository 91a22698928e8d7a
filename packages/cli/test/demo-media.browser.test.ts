import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { runServe } from '@vigil/cli';
import { launchChromium } from '@vigil/test-kit';

// The demo page with audio and video: two people on one link see each other's video with names and
// mute states, in the media mode the first one chose.

async function otherTile(page: Page, name: string): Promise<void> {
  await page.waitForFunction(
    (who) =>
      [...document.querySelectorAll('.tile:not(.me)')].some(
        (tile) => tile.querySelector('.name')?.textContent === who && ((tile.querySelector('video') as HTMLVideoElement | null)?.videoWidth ?? 0) > 0,
      ),
    name,
    { timeout: 15_000 },
  );
}

async function tileState(page: Page, name: string): Promise<{ audio: string; video: string; off: boolean }> {
  return page.evaluate((who) => {
    const tile = [...document.querySelectorAll<HTMLElement>('.tile:not(.me)')].find((t) => t.querySelector('.name')?.textContent === who);
    return { audio: tile?.dataset['hasAudio'] ?? '', video: tile?.dataset['hasVideo'] ?? '', off: tile?.classList.contains('video-off') ?? false };
  }, name);
}

test('demo: two people in a routed session see each other, with names and mute states', async (t) => {
  const server = await runServe(['--port', '0', '--log-level', 'warn'], {
    stdout: () => {},
    stderr: () => {},
    env: {},
    cwd: mkdtempSync(join(tmpdir(), 'vigil-demo-media-')),
  });
  t.after(() => server.close());
  const browser = await launchChromium();
  t.after(() => browser.close());
  const open = async (query: string): Promise<Page> => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
    await page.goto(`${server.url}/?${query}`);
    return page;
  };
  const ann = await open('session=av&name=Ann&mediaMode=routed');
  await ann.waitForFunction(() => document.querySelector('#status')?.textContent?.includes('routed media'), undefined, { timeout: 10_000 });
  // Ben's link does not say routed: the room keeps the mode it was created with.
  const ben = await open('session=av&name=Ben');
  await ben.waitForFunction(() => document.querySelector('#status')?.textContent?.includes('routed media'), undefined, { timeout: 10_000 });
  await otherTile(ann, 'Ben');
  await otherTile(ben, 'Ann');
  assert.deepEqual(await tileState(ben, 'Ann'), { audio: 'true', video: 'true', off: false });

  await ann.waitForFunction(() => !(document.querySelector('#toggle-audio') as HTMLButtonElement).disabled);
  await ann.click('#toggle-audio');
  await ben.waitForFunction(() => document.querySelector<HTMLElement>('.tile:not(.me)')?.dataset['hasAudio'] === 'false', undefined, { timeout: 10_000 });
  await ann.click('#toggle-video');
  await ben.waitForFunction(() => document.querySelector<HTMLElement>('.tile:not(.me)')?.dataset['hasVideo'] === 'false', undefined, { timeout: 10_000 });
  assert.deepEqual(await tileState(ben, 'Ann'), { audio: 'false', video: 'false', off: true });
  assert.equal(await ann.textContent('#toggle-video'), 'Start camera');
  await ann.click('#toggle-video');
  await ben.waitForFunction(() => document.querySelector<HTMLElement>('.tile:not(.me)')?.dataset['hasVideo'] === 'true', undefined, { timeout: 10_000 });

  await ann.click('#leave');
  await ben.waitForFunction(() => document.querySelectorAll('.tile:not(.me)').length === 0, undefined, { timeout: 10_000 });
});
