import {
  createBrowserAdapter,
  createLifecycleEngine,
  type BrowserAdapter,
  type BrowserEnvironment,
  type LifecycleEffect,
  type LifecycleEngine,
  type LifecycleInput,
  type LifecycleOptions,
} from '@vigil/lifecycle';
import type { AnnouncedState } from '@vigil/protocol';
import type { ClientClock } from './clock.js';
import type { Publisher } from './publisher.js';

/** What the controller drives on the session. */
export interface LifecycleSessionHooks {
  announce(state: AnnouncedState, reason: string): void;
  checkConnection(): void;
  warn(code: 'backgroundWithoutMedia'): void;
}

/**
 * A publisher or subscriber the engine may pause and restore. Publishers and subscribers register one
 * so media effects (`pauseCamera`, `stopAudio`, `deferVideoRenderer`, …) reach them by id.
 */
export type MediaEffectHandler = (effect: LifecycleEffect) => void;

export interface SessionLifecycleOptions extends LifecycleOptions {
  /**
   * Listen to the browser (visibility, freeze/resume, online/offline) by itself. Default true in a
   * browser; elsewhere (React Native, Node) feed inputs with `session.lifecycle.send()`.
   */
  browserAdapter?: boolean;
}

/**
 * The lifecycle engine, running inside a session: platform inputs in, effects applied to the session
 * (announce to peers, probe the link, warn the app) and to registered publishers and subscribers.
 */
export class LifecycleController {
  readonly engine: LifecycleEngine;
  readonly #hooks: LifecycleSessionHooks;
  readonly #media = new Map<string, MediaEffectHandler>();
  readonly #adapter: BrowserAdapter | undefined;

  constructor(hooks: LifecycleSessionHooks, options: SessionLifecycleOptions, clock: ClientClock) {
    this.#hooks = hooks;
    const env = browserEnvironment();
    const useBrowser = options.browserAdapter !== false && env !== undefined;
    let adapter: BrowserAdapter | undefined;
    const pending: LifecycleInput[] = [];
    if (useBrowser) {
      adapter = createBrowserAdapter(env, { onInput: (input) => (this.engine ? this.engine.send(input) : pending.push(input)) });
    }
    const { browserAdapter: _ignored, ...lifecycle } = options;
    void _ignored;
    this.engine = createLifecycleEngine({
      clock,
      lifecycle: { policy: adapter?.policy ?? 'mobile', ...lifecycle },
      execute: (effect) => this.#execute(effect),
      onExecuteError: () => {
        // A media call that throws must not stop the other effects (the engine carries on).
      },
    });
    this.#adapter = adapter;
    for (const input of pending) {
      this.engine.send(input);
    }
    if (env?.document.visibilityState === 'hidden') {
      this.engine.send({ type: 'appState', state: 'background' });
    }
  }

  /** Feeds a platform input (React Native adapter, native audio-session events, tests). */
  send(input: LifecycleInput): void {
    this.engine.send(input);
  }

  /** Registers the handler for one publisher's or subscriber's media effects. */
  attachMedia(id: string, handler: MediaEffectHandler): () => void {
    this.#media.set(id, handler);
    return () => this.#media.delete(id);
  }

  /**
   * Puts a published publisher under the engine: camera paused in the background (mobile policy) with
   * reason `background`, audio stopped during an interruption with reason `interrupted`, restores
   * verified, and the app's own toggles honoured when it is active again. Undone when it unpublishes.
   */
  attachPublisher(publisher: Publisher): void {
    const id = publisher.streamId;
    if (id === undefined) {
      return;
    }
    const detachMedia = this.attachMedia(id, (effect) => applyToPublisher(this.engine, publisher, id, effect));
    const unwatch = publisher.tracks.map((track) => this.watchTrack(track));
    publisher.lifecycleToggle = (kind, on) => this.engine.send(kind === 'video' ? { type: 'publishVideo', publisherId: id, value: on } : { type: 'publishAudio', publisherId: id, value: on });
    const removed = (): void => {
      publisher.off('streamDestroyed', removed);
      publisher.lifecycleToggle = undefined;
      detachMedia();
      unwatch.forEach((stop) => stop());
      this.engine.send({ type: 'publisherRemoved', publisherId: id });
    };
    publisher.on('streamDestroyed', removed);
    this.engine.send({ type: 'publisherAdded', publisherId: id, source: publisher.videoType, publishVideo: publisher.publishingVideo, publishAudio: publisher.publishingAudio });
  }

  /** Watches a capture track for interruptions (browser only). */
  watchTrack(track: { kind: string; addEventListener(t: string, l: (e: unknown) => void): void; removeEventListener(t: string, l: (e: unknown) => void): void }): () => void {
    return this.#adapter?.watchTrack(track) ?? (() => {});
  }

  stop(): void {
    this.#adapter?.detach();
    this.engine.stop();
  }

  #execute(effect: LifecycleEffect): void {
    switch (effect.type) {
      case 'announce':
        this.#hooks.announce(effect.state, effect.reason);
        return;
      case 'probeConnection':
        this.#hooks.checkConnection();
        return;
      case 'warn':
        this.#hooks.warn(effect.code);
        return;
      default: {
        const id = 'publisherId' in effect ? effect.publisherId : 'subscriberId' in effect ? effect.subscriberId : 'id' in effect ? effect.id : undefined;
        if (id !== undefined) {
          this.#media.get(id)?.(effect);
        }
      }
    }
  }
}

function browserEnvironment(): BrowserEnvironment | undefined {
  const g = globalThis as { document?: BrowserEnvironment['document']; navigator?: BrowserEnvironment['navigator'] };
  const win = globalThis as unknown as BrowserEnvironment['window'];
  if (!g.document || typeof g.document.addEventListener !== 'function' || typeof win.addEventListener !== 'function') {
    return undefined;
  }
  return g.navigator ? { document: g.document, window: win, navigator: g.navigator } : { document: g.document, window: win };
}

/**
 * Applies one engine effect to a publisher. A restore counts as verified when the track is live and
 * not muted by the OS (frames can flow); anything else reports a failure so the engine retries.
 */
function applyToPublisher(engine: LifecycleEngine, publisher: Publisher, id: string, effect: LifecycleEffect): void {
  const healthy = (kind: 'audio' | 'video'): boolean => {
    const track = publisher.tracks.find((t) => t.kind === kind);
    return track !== undefined && track.readyState === 'live' && !track.muted;
  };
  switch (effect.type) {
    case 'pauseCamera':
      publisher.applyLifecycle('video', false, effect.reason === 'background' ? 'background' : 'interrupted');
      return;
    case 'restoreCamera':
      publisher.applyLifecycle('video', true, 'background');
      engine.send(healthy('video') ? { type: 'videoRestoreVerified', publisherId: id } : { type: 'videoRestoreFailed', publisherId: id });
      return;
    case 'setPublishVideo':
      publisher.applyLifecycle('video', effect.enabled, 'app');
      return;
    case 'setPublishAudio':
      publisher.applyLifecycle('audio', effect.enabled, 'app');
      return;
    case 'stopAudio':
      publisher.applyLifecycle('audio', false, 'interrupted');
      return;
    case 'restoreAudio':
      publisher.applyLifecycle('audio', true, 'interrupted');
      engine.send(healthy('audio') ? { type: 'audioRestoreVerified', target: 'publisher', id } : { type: 'audioRestoreFailed', target: 'publisher', id });
      return;
    default:
      return;
  }
}
