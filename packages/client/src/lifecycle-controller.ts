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
import { INTERNAL } from './media/internal.js';
import { publisherEffectHandler } from './media/lifecycle-publisher.js';
import { planSubscriber, subscriberEffectHandler } from './media/lifecycle-subscriber.js';
import type { Publisher } from './publisher.js';
import type { Stream } from './stream.js';
import { withLifecycleStart, type SubscribeOptions, type Subscriber } from './subscriber.js';

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
 * Reach it as `session.lifecycle` once connected.
 *
 * @example
 * // React Native, native audio-session events, or a demo's buttons: feed the inputs yourself.
 * session.lifecycle?.send({ type: 'appState', state: 'background' });
 * session.lifecycle?.send({ type: 'audioInterruptionBegan', reason: 'call' });
 */
export class LifecycleController {
  readonly engine: LifecycleEngine;
  readonly #clock: ClientClock;
  readonly #hooks: LifecycleSessionHooks;
  readonly #media = new Map<string, MediaEffectHandler>();
  readonly #adapter: BrowserAdapter | undefined;

  constructor(hooks: LifecycleSessionHooks, options: SessionLifecycleOptions, clock: ClientClock) {
    this.#hooks = hooks;
    this.#clock = clock;
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

  /**
   * Feeds one input to the engine: a platform signal (`appState`, `suspend`, `resume`,
   * `audioInterruptionBegan {reason}` / `audioInterruptionEnded`, `cameraInterruption*`, `network`)
   * from React Native, native audio-session events, a test, or a demo. Effects run before it returns.
   */
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
    const unwatch = publisher.tracks.map((track) => this.watchTrack(track));
    const handler = publisherEffectHandler(publisher, id, {
      engine: this.engine,
      clock: this.#clock,
      // A camera opened again after a failed restore is watched for interruptions like the first.
      watchTrack: (track) => unwatch.push(this.watchTrack(track)),
    });
    const detachMedia = this.attachMedia(id, handler);
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

  /**
   * The options a new subscriber starts with (lifecycle.md rule 3): asked of the engine before the
   * subscriber exists, so that in the background no video view is created and no video requested.
   */
  subscribeOptions(stream: Stream, options: SubscribeOptions): SubscribeOptions {
    const start = planSubscriber(this.engine, this.#clock, {
      source: stream.videoType,
      subscribeToVideo: options.subscribeToVideo !== false,
      subscribeToAudio: options.subscribeToAudio !== false,
    });
    return withLifecycleStart(options, start);
  }

  /**
   * Puts a subscriber under the engine: its video dropped in the background and taken back on return
   * (`dropVideoInBackground`), its deferred view attached when active, its audio muted during an
   * interruption (`stopAudioOnInterruption`). The app's `subscribeTo*` calls go through the engine.
   * Undone when the subscriber is destroyed. Returns the subscriber.
   */
  attachSubscriber(subscriber: Subscriber): Subscriber {
    const id = subscriber.id;
    if (subscriber[INTERNAL].destroyedReason) {
      return subscriber;
    }
    const detachMedia = this.attachMedia(id, subscriberEffectHandler(subscriber, { engine: this.engine, clock: this.#clock }));
    subscriber.lifecycleToggle = (kind, on) =>
      this.engine.send(kind === 'video' ? { type: 'subscribeToVideo', subscriberId: id, value: on } : { type: 'subscribeToAudio', subscriberId: id, value: on });
    const removed = (): void => {
      subscriber.off('destroyed', removed);
      subscriber.lifecycleToggle = undefined;
      detachMedia();
      this.engine.send({ type: 'subscriberRemoved', subscriberId: id });
    };
    subscriber.on('destroyed', removed);
    const wants = subscriber.requestedByApp;
    this.engine.send({ type: 'subscriberAdded', subscriberId: id, source: subscriber.stream.videoType, subscribeToVideo: wants.video, subscribeToAudio: wants.audio });
    // The app state may have changed while the subscribe request was out: the engine's decision now wins.
    const state = this.engine.state.subscribers.find((s) => s.id === id);
    if (state) {
      subscriber.holdVideo(state.videoDropped).catch(() => undefined);
      if (state.renderer === 'attached') {
        subscriber.attachVideoView();
      }
    }
    return subscriber;
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
