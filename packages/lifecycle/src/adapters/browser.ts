import type { LifecyclePolicy } from '../options.js';
import { watchForSuspension, type SuspensionDetectorOptions } from './suspension-detector.js';

/** The browser objects the adapter listens to; structural, so tests can pass fakes. */
export interface BrowserEnvironment {
  document: ListenerTarget & { visibilityState?: string };
  window: ListenerTarget;
  navigator?: { userAgent?: string; userAgentData?: { mobile?: boolean } };
}

interface ListenerTarget {
  addEventListener(type: string, listener: (event: unknown) => void): void;
  removeEventListener(type: string, listener: (event: unknown) => void): void;
}

/** A capture track as the adapter sees it (a `MediaStreamTrack`). */
export interface TrackLike extends ListenerTarget {
  kind: string;
}

/** `onInput` receives every platform input, in order; the clock options serve suspension detection. */
export type BrowserAdapterOptions = SuspensionDetectorOptions;

export interface BrowserAdapter {
  /** `mobile` on phone browsers (camera paused while hidden), `desktop` otherwise. */
  readonly policy: LifecyclePolicy;
  /** Watches a capture track for interruptions (`mute`/`unmute`/`ended`); returns an unwatch. */
  watchTrack(track: TrackLike): () => void;
  detach(): void;
}

const MOBILE_UA = /\b(iPhone|iPad|iPod|Android)\b/i;

/**
 * Phone and tablet browsers, where the OS takes the camera away from a hidden page. Either signal is
 * enough: iOS Safari has no `userAgentData`, and device emulation changes only the user agent string.
 */
export function isMobileBrowser(navigator: BrowserEnvironment['navigator']): boolean {
  return navigator?.userAgentData?.mobile === true || MOBILE_UA.test(navigator?.userAgent ?? '');
}

/**
 * Turns browser events into lifecycle inputs: `visibilitychange` and `pagehide`/`pageshow` → app
 * state, `freeze`/`resume` → suspend/resume (plus a late timer, the only trace a stopped process
 * leaves), `online`/`offline` → network, capture-track `mute`/`unmute`/`ended` → camera and audio
 * interruptions.
 */
export function createBrowserAdapter(env: BrowserEnvironment, options: BrowserAdapterOptions): BrowserAdapter {
  const { onInput } = options;
  const listeners: [ListenerTarget, string, (event: unknown) => void][] = [];
  const on = (target: ListenerTarget, type: string, listener: (event: unknown) => void): void => {
    target.addEventListener(type, listener);
    listeners.push([target, type, listener]);
  };
  const appState = (): void => onInput({ type: 'appState', state: env.document.visibilityState === 'hidden' ? 'background' : 'active' });
  on(env.document, 'visibilitychange', appState);
  on(env.window, 'pagehide', () => onInput({ type: 'appState', state: 'background' }));
  on(env.window, 'pageshow', appState);
  on(env.document, 'freeze', () => onInput({ type: 'suspend' }));
  on(env.document, 'resume', () => onInput({ type: 'resume' }));
  on(env.window, 'online', () => onInput({ type: 'network', status: 'online' }));
  on(env.window, 'offline', () => onInput({ type: 'network', status: 'offline' }));

  const stopWatching = watchForSuspension(options);

  return {
    policy: isMobileBrowser(env.navigator) ? 'mobile' : 'desktop',
    watchTrack(track) {
      const video = track.kind === 'video';
      const began = (): void => onInput(video ? { type: 'cameraInterruptionBegan' } : { type: 'audioInterruptionBegan', reason: 'otherApp' });
      const ended = (): void => onInput(video ? { type: 'cameraInterruptionEnded' } : { type: 'audioInterruptionEnded' });
      track.addEventListener('mute', began);
      track.addEventListener('ended', began);
      track.addEventListener('unmute', ended);
      return () => {
        track.removeEventListener('mute', began);
        track.removeEventListener('ended', began);
        track.removeEventListener('unmute', ended);
      };
    },
    detach() {
      for (const [target, type, listener] of listeners.splice(0)) {
        target.removeEventListener(type, listener);
      }
      stopWatching();
    },
  };
}
