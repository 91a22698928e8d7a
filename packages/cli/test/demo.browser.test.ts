import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServe } from '@vigil/cli';
import { launchChromium } from '@vigil/test-kit';

test('two Chromium pages on the demo see each other and exchange a signal', async (t) => {
  const out: string[] = [];
  const server = await runServe(['--port', '0', '--log-level', 'warn'], {
    stdout: (s) => out.push(s),
    stderr: () => {},
    env: {},
    cwd: mkdtempSync(join(tmpdir(), 'vigil-demo-')),
  });
  t.after(() => server.close());
  const browser = await launchChromium();
  t.after(() => browser.close());

  const pages = await Promise.all(
    ['Ann', 'Ben'].map(async (name) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('pageerror', (err) => assert.fail(`page error on ${name}: ${err.message}`));
      await page.goto(`${server.url}/?session=room-1&name=${name}`);
      return page;
    }),
  );
  const [ann, ben] = pages as [(typeof pages)[0], (typeof pages)[0]];
  for (const page of pages) {
    await page.waitForFunction(() => document.querySelectorAll('#presence li').length === 2, undefined, { timeout: 10_000 });
    const names = await page.$$eval('#presence li', (items) => items.map((li) => li.textContent ?? '').sort());
    assert.ok(names.some((n) => n.startsWith('Ann')) && names.some((n) => n.startsWith('Ben')), names.join());
  }
  await ann.fill('#chat-input', 'hello from Ann');
  await ann.click('#send');
  await ben.waitForFunction(() => document.querySelector('#log')?.textContent?.includes('Ann: hello from Ann'), undefined, { timeout: 10_000 });

  // The lifecycle buttons drive Ann's engine; Ben's page shows her state and its reason.
  const annAtBen = (expected: string): Promise<unknown> =>
    ben.waitForFunction(
      (text) => [...document.querySelectorAll<HTMLElement>('#presence li')].some((li) => li.querySelector('.who')?.textContent === 'Ann' && li.querySelector('.lc-state')?.textContent === text),
      expected,
      { timeout: 10_000 },
    );
  await ann.waitForFunction(() => !(document.querySelector('#lifecycle-controls') as HTMLFieldSetElement).disabled, undefined, { timeout: 10_000 });
  await annAtBen('active');
  await ann.click('#lc-background');
  await annAtBen('background (background)');
  assert.equal(await ann.textContent('#self-lifecycle'), 'background (background)');
  await ann.click('#lc-call');
  await annAtBen('interrupted (call)');
  await ann.click('#lc-call-end');
  await ann.click('#lc-return');
  await annAtBen('active (foreground)');

  await ben.click('#leave');
  await ann.waitForFunction(() => document.querySelector('#log')?.textContent?.includes('Ben left (clientDisconnected)'), undefined, { timeout: 10_000 });
  assert.equal(await ann.$$eval('#presence li', (items) => items.length), 1);
});

test('demo: the suspend button freezes the page; the other page sees it suspended, then back', async (t) => {
  const server = await runServe(['--port', '0', '--log-level', 'warn'], {
    stdout: () => {},
    stderr: () => {},
    env: {},
    cwd: mkdtempSync(join(tmpdir(), 'vigil-demo-suspend-')),
  });
  t.after(() => server.close());
  const browser = await launchChromium();
  t.after(() => browser.close());
  const open = async (name: string): Promise<import('playwright-core').Page> => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/?session=room-s&name=${name}&media=off`);
    return page;
  };
  const ann = await open('Ann');
  const ben = await open('Ben');
  const annState = (): Promise<string> =>
    ben.evaluate(() => [...document.querySelectorAll<HTMLElement>('#presence li')].find((li) => li.querySelector('.who')?.textContent === 'Ann')?.dataset['state'] ?? '');
  await ann.waitForFunction(() => !(document.querySelector('#lifecycle-controls') as HTMLFieldSetElement).disabled, undefined, { timeout: 10_000 });
  await ben.waitForFunction(() => document.querySelectorAll('#presence li').length === 2, undefined, { timeout: 10_000 });
  // Not awaited: the click's handler blocks Ann's page for 10 s, so Playwright's click would wait it out.
  const clicked = ann.click('#lc-suspend', { noWaitAfter: true });
  await ben.waitForFunction(
    () => [...document.querySelectorAll<HTMLElement>('#presence li')].some((li) => li.querySelector('.who')?.textContent === 'Ann' && li.dataset['state'] === 'suspended'),
    undefined,
    { timeout: 15_000 },
  );
  await clicked;
  // Unfrozen, the page resumes its connection: the server takes it back, and Ben sees her no longer suspended.
  await ben.waitForFunction(
    () => [...document.querySelectorAll<HTMLElement>('#presence li')].some((li) => li.querySelector('.who')?.textContent === 'Ann' && li.dataset['state'] !== 'suspended'),
    undefined,
    { timeout: 15_000 },
  );
  assert.notEqual(await annState(), 'suspended');
  assert.ok(!(await ben.textContent('#log'))?.includes('Ann left'), 'the same connection came back: no leave');
});

test('the browser build imports as an ES module with no bundler: /vigil-client.js', async (t) => {
  const server = await runServe(['--port', '0', '--no-demo', '--log-level', 'warn'], {
    stdout: () => {},
    stderr: () => {},
    env: { VIGIL_API_KEY: '47000123', VIGIL_API_SECRET: 'a-test-secret-of-enough-length' },
    cwd: tmpdir(),
  });
  t.after(() => server.close());
  const response = await fetch(`${server.url}/vigil-client.js`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /javascript/);
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  // Any page of the server's origin will do; the demo is off, so use an error page.
  await page.goto(`${server.url}/v1/info`);
  const exported = await page.evaluate(async () => {
    const sdk = (await import('/vigil-client.js' as string)) as Record<string, unknown>;
    return Object.keys(sdk).sort();
  });
  assert.ok(exported.includes('initSession') && exported.includes('VigilError'), exported.join());
  assert.equal((await fetch(`${server.url}/`)).status, 404, 'no demo page with --no-demo');
});
