import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { browserClientHandler, launchChromium, nextEvent, processTreeByMarker, recordEvents, signalProcesses, startTestServer, waitUntil } from '@vigil/test-kit';

// The seed's "losing control", for real: one Chromium per client, the whole browser stopped with
// SIGSTOP (as the OS suspends an app) and continued with SIGCONT.

let stopped: number[] = [];

const timers = { heartbeatIntervalMs: 250, heartbeatTimeoutMs: 1_000, networkGraceMs: 3_000, suspendGraceMs: 3_000 };

interface PageEvent {
  name: string;
  data?: string;
  rejoined?: boolean;
  reason?: string;
}

async function setup(t: TestContext) {
  const h = await startTestServer(t, { timers, httpHandler: browserClientHandler() });
  const sessionId = h.newSessionId();
  const tag = randomUUID();
  const browser = await launchChromium({ tag });
  // Looked up when needed: the renderer and network processes appear after launch.
  const pids = (): number[] => processTreeByMarker(tag);
  t.after(async () => {
    signalProcesses(pids(), 'SIGCONT');
    await browser.close();
  });
  const page = await browser.newPage();
  await page.goto(`${h.url}/test-page`);
  const pageId = await page.evaluate(
    async ({ apiKey, sessionId, token }) => {
      const sdk = (await import('/vigil-client.js' as string)) as typeof import('@vigil/client');
      const session = sdk.initSession(apiKey, sessionId, { reconnect: { baseDelayMs: 50, maxDelayMs: 250 } });
      const events: PageEvent[] = [];
      (window as unknown as { __events: PageEvent[] }).__events = events;
      session.on('sessionReconnecting', () => events.push({ name: 'sessionReconnecting' }));
      session.on('sessionReconnected', (e) => events.push({ name: 'sessionReconnected', rejoined: e.rejoined }));
      session.on('sessionDisconnected', (e) => events.push({ name: 'sessionDisconnected', reason: e.reason }));
      session.on('signal', (e) => events.push({ name: 'signal', data: e.data }));
      (window as unknown as { __session: unknown }).__session = session;
      await session.connect(token);
      return session.connection?.connectionId ?? '';
    },
    { apiKey: h.apiKey, sessionId, token: h.token(sessionId) },
  );
  const peer = await h.join(sessionId);
  await waitUntil(() => peer.connections.length === 2, 'peer sees the page');
  const events = (): Promise<PageEvent[]> => page.evaluate(() => (window as unknown as { __events: PageEvent[] }).__events);
  const pageConnectionId = (): Promise<string> => page.evaluate(() => (window as unknown as { __session: { connection?: { connectionId: string } } }).__session.connection?.connectionId ?? '');
  const pageSignal = (data: string): Promise<void> => page.evaluate((d) => (window as unknown as { __session: { signal(o: object): Promise<void> } }).__session.signal({ type: 'fromPage', data: d }), data);
  return { h, page, pids, peer, pageId, events, pageConnectionId, pageSignal };
}

async function hide(page: Page): Promise<void> {
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

test('SIGSTOP shorter than the grace: same connection id, signals delivered both ways, once', async (t) => {
  const { page, pids, peer, pageId, events, pageConnectionId, pageSignal } = await setup(t);
  const peerStates = recordEvents(peer, 'connectionStateChanged');
  await hide(page);
  await waitUntil(() => peerStates.some((e) => e.state === 'background'), 'peer sees background');

  stopped = pids();
  assert.ok(stopped.length >= 3, `the browser's processes (${stopped.length})`);
  signalProcesses(stopped, 'SIGSTOP');
  await waitUntil(() => peerStates.some((e) => e.state === 'suspended'), `suspended (${peerStates.map((e) => e.state).join()})`, 5_000);
  for (let i = 0; i < 3; i += 1) {
    await peer.signal({ type: 'toPage', data: `while-stopped-${i}`, to: pageId });
  }
  await new Promise((r) => setTimeout(r, 500));
  signalProcesses(stopped, 'SIGCONT');

  await waitUntil(async () => (await events()).filter((e) => e.name === 'signal' && e.data?.startsWith('while-stopped')).length === 3, 'page got the signals', 10_000);
  assert.equal(await pageConnectionId(), pageId, 'same connection id');
  const fromPage = nextEvent(peer, 'signal:fromPage', { timeoutMs: 10_000 });
  await pageSignal('after-resume');
  assert.equal((await fromPage).data, 'after-resume');
  await peer.signal({ type: 'sync', data: 'sync', to: pageId });
  await waitUntil(async () => (await events()).some((e) => e.data === 'sync'), 'sync', 5_000);
  const got = (await events()).filter((e) => e.name === 'signal' && e.data?.startsWith('while-stopped')).map((e) => e.data);
  assert.deepEqual(got, ['while-stopped-0', 'while-stopped-1', 'while-stopped-2']);
  assert.ok(!(await events()).some((e) => e.name === 'sessionDisconnected'));
  assert.equal(peer.connections.length, 2);
});

test('SIGSTOP longer than the grace after hiding: peers see one connectionDestroyed(suspended); the page rejoins', async (t) => {
  const { page, pids, peer, pageId, events, pageConnectionId } = await setup(t);
  const destroyed = recordEvents(peer, 'connectionDestroyed');
  const background = nextEvent(peer, 'connectionStateChanged', { where: (e) => e.state === 'background' });
  await hide(page);
  await background;
  const states = recordEvents(peer, 'connectionStateChanged');
  stopped = pids();
  assert.ok(stopped.length >= 3, `the browser's processes (${stopped.length})`);
  signalProcesses(stopped, 'SIGSTOP');
  await waitUntil(() => destroyed.length > 0, `destroyed (states: ${states.map((e) => e.state).join()})`, 10_000);
  const gone = destroyed[0]!;
  assert.equal(gone.reason, 'suspended');
  assert.equal(gone.connection.connectionId, pageId);
  const rejoined = nextEvent(peer, 'connectionCreated', { timeoutMs: 15_000 });
  signalProcesses(stopped, 'SIGCONT');
  const created = await rejoined;
  await waitUntil(async () => (await events()).some((e) => e.name === 'sessionReconnected'), 'page reconnected', 10_000);
  const reconnected = (await events()).find((e) => e.name === 'sessionReconnected');
  assert.equal(reconnected?.rejoined, true);
  assert.equal(await pageConnectionId(), created.connection.connectionId);
  assert.notEqual(created.connection.connectionId, pageId);
  assert.equal(destroyed.length, 1, 'exactly one destroy');
  // Still hidden: the new connection announces background again.
  await waitUntil(() => peer.connections.find((c) => c.connectionId === created.connection.connectionId)?.state === 'background', 'background re-announced', 5_000);
});

test('SIGSTOP longer than the grace without announcing: peers see networkDisconnected', async (t) => {
  const { pids, peer, pageId } = await setup(t);
  stopped = pids();
  assert.ok(stopped.length >= 3, `the browser's processes (${stopped.length})`);
  signalProcesses(stopped, 'SIGSTOP');
  const changed = await nextEvent(peer, 'connectionStateChanged', { timeoutMs: 5_000 });
  assert.equal(changed.state, 'reconnecting');
  const gone = await nextEvent(peer, 'connectionDestroyed', { timeoutMs: 10_000 });
  assert.deepEqual([gone.connection.connectionId, gone.reason], [pageId, 'networkDisconnected']);
  signalProcesses(stopped, 'SIGCONT');
});

test('JS paused in the debugger (pings still answered by the browser) is caught by the app heartbeat', async (t) => {
  const { page, peer, pageId } = await setup(t);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Debugger.enable');
  await cdp.send('Debugger.pause');
  const changed = await nextEvent(peer, 'connectionStateChanged', { timeoutMs: 5_000 });
  assert.deepEqual([changed.connection.connectionId, changed.state], [pageId, 'reconnecting']);
  await cdp.send('Debugger.resume');
});

test('network offline (socket open but silent) then online: the page resumes the same connection', async (t) => {
  const { page, peer, pageId, events, pageConnectionId } = await setup(t);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await nextEvent(peer, 'connectionStateChanged', { where: (e) => e.state === 'reconnecting', timeoutMs: 5_000 });
  await peer.signal({ type: 'toPage', data: 'while-offline', to: pageId });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await waitUntil(async () => (await events()).some((e) => e.data === 'while-offline'), 'signal after coming back', 15_000);
  assert.equal(await pageConnectionId(), pageId);
});

test('a phone page with no media going hidden: peers see background, the app is warned backgroundWithoutMedia', async (t) => {
  const h = await startTestServer(t, { timers, httpHandler: browserClientHandler() });
  const sessionId = h.newSessionId();
  const browser = await launchChromium();
  t.after(() => browser.close());
  const context = await browser.newContext({ userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148' });
  const page = await context.newPage();
  await page.goto(`${h.url}/test-page`);
  const peer = await h.join(sessionId);
  const background = nextEvent(peer, 'connectionStateChanged', { where: (e) => e.state === 'background', timeoutMs: 10_000 });
  const policy = await page.evaluate(
    async ({ apiKey, sessionId, token }) => {
      const sdk = (await import('/vigil-client.js' as string)) as typeof import('@vigil/client');
      const session = sdk.initSession(apiKey, sessionId);
      const warnings: string[] = [];
      (window as unknown as { __warnings: string[] }).__warnings = warnings;
      session.on('backgroundWithoutMedia', () => warnings.push('backgroundWithoutMedia'));
      await session.connect(token);
      return session.lifecycle?.engine.state.options.policy;
    },
    { apiKey: h.apiKey, sessionId, token: h.token(sessionId) },
  );
  assert.equal(policy, 'mobile', 'a phone user agent gets the mobile policy');
  await hide(page);
  const changed = await background;
  assert.equal(changed.reason, 'background');
  const warnings = await page.evaluate(() => (window as unknown as { __warnings: string[] }).__warnings);
  assert.deepEqual(warnings, ['backgroundWithoutMedia']);
});
