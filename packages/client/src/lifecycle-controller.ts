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
