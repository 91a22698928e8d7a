import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBrowserAdapter, createReactNativeAdapter, isMobileBrowser, type LifecycleInput } from '@vigil/lifecycle';

/** A stand-in for `document`, `window` or a track: real listener bookkeeping, events fired by hand. */
class FakeTarget {
  readonly listeners = new Map<string, Set<(event: unknown) => void>>();
  visibilityState = 'visible';
  kind = 'video';
  addEventListener(type: string, listener: (event: unknown) => void): void {
    (this.listeners.get(type) ?? this.listeners.set(type, new Set()).get(type)!).add(listener);
  }
  removeEventListener(type: string, listener: (event: unknown) => void): void {
    this.listeners.get(type)?.delete(listener);
  }
  fire(type: string, event: unknown = {}): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener(event);
  }
  get count(): number {
    return [...this.listeners.values()].reduce((n, set) => n + set.size, 0);
  }
}

function fakeTimers() {
  let now = 0;
  let tick: (() => void) | undefined;
  return {
    now: () => now,
    setInterval: (fn: () => void) => ((tick = fn), 1),
    clearInterval: () => (tick = undefined),
    /** Moves time and fires the one-second tick once (as a late timer would). */
    jump(ms: number) {
      now += ms;
      tick?.();
    },
  };
}

test('phone browsers get the mobile policy; desktop ones the desktop policy', () => {
  assert.equal(isMobileBrowser({ userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)' }), true);
  assert.equal(isMobileBrowser({ userAgent: 'Mozilla/5.0 (Linux; Android 15; Pixel 9)' }), true);
  assert.equal(isMobileBrowser({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156' }), false);
  assert.equal(isMobileBrowser({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', userAgentData: { mobile: true } }), true);
  assert.equal(isMobileBrowser(undefined), false);
});

test('browser events become lifecycle inputs, and detach removes every listener', () => {
  const document = new FakeTarget();
  const window = new FakeTarget();
  const timers = fakeTimers();
  const inputs: LifecycleInput[] = [];
  const adapter = createBrowserAdapter({ document, window, navigator: { userAgent: 'iPhone' } }, { onInput: (i) => inputs.push(i), ...timers });
  assert.equal(adapter.policy, 'mobile');
  document.visibilityState = 'hidden';
  document.fire('visibilitychange');
  document.visibilityState = 'visible';
  document.fire('visibilitychange');
  window.fire('pagehide');
  window.fire('pageshow');
  document.fire('freeze');
  document.fire('resume');
  window.fire('offline');
  window.fire('online');
  timers.jump(1_000);
  timers.jump(20_000); // the process was stopped for ~19 s
  const camera = new FakeTarget();
  const mic = Object.assign(new FakeTarget(), { kind: 'audio' });
  const unwatchCamera = adapter.watchTrack(camera);
  adapter.watchTrack(mic);
  camera.fire('mute');
  camera.fire('unmute');
  mic.fire('ended');
  assert.deepEqual(inputs, [
    { type: 'appState', state: 'background' },
    { type: 'appState', state: 'active' },
    { type: 'appState', state: 'background' },
    { type: 'appState', state: 'active' },
    { type: 'suspend' },
    { type: 'resume' },
    { type: 'network', status: 'offline' },
    { type: 'network', status: 'online' },
    { type: 'suspend' },
    { type: 'resume' },
    { type: 'cameraInterruptionBegan' },
    { type: 'cameraInterruptionEnded' },
    { type: 'audioInterruptionBegan', reason: 'otherApp' },
  ]);
  unwatchCamera();
  assert.equal(camera.count, 0);
  adapter.detach();
  assert.equal(document.count + window.count, 0);
});

test('React Native: AppState, native audio interruptions and NetInfo become inputs', () => {
  const appStateListeners = new Set<(s: string) => void>();
  const AppState = {
    currentState: 'active',
    addEventListener: (_type: 'change', fn: (s: string) => void) => {
      appStateListeners.add(fn);
      return { remove: () => appStateListeners.delete(fn) };
    },
  };
  let audioListener: ((e: { type: 'began'; reason?: 'call' } | { type: 'ended' }) => void) | undefined;
  let netListener: ((s: { isConnected: boolean | null }) => void) | undefined;
  const timers = fakeTimers();
  const inputs: LifecycleInput[] = [];
  const adapter = createReactNativeAdapter({
    AppState,
    audioSession: { addListener: (fn) => ((audioListener = fn), { remove: () => (audioListener = undefined) }) },
    netInfo: { addEventListener: (fn) => ((netListener = fn), () => (netListener = undefined)) },
    onInput: (i) => inputs.push(i),
    ...timers,
  });
  for (const fn of appStateListeners) fn('inactive');
  for (const fn of appStateListeners) fn('background');
  audioListener?.({ type: 'began', reason: 'call' });
  audioListener?.({ type: 'ended' });
  netListener?.({ isConnected: false });
  netListener?.({ isConnected: null });
  timers.jump(30_000);
  assert.deepEqual(inputs, [
    { type: 'appState', state: 'active' },
    { type: 'appState', state: 'inactive' },
    { type: 'appState', state: 'background' },
    { type: 'audioInterruptionBegan', reason: 'call' },
    { type: 'audioInterruptionEnded' },
    { type: 'network', status: 'offline' },
    { type: 'suspend' },
    { type: 'resume' },
  ]);
  adapter.detach();
  assert.equal(appStateListeners.size, 0);
  assert.equal(audioListener, undefined);
  assert.equal(netListener, undefined);
});
