import { VigilError, isVigilError, type IceCandidateInfo, type IceServer, type MediaKind, type StreamDestroyedReason, type SubscriberMediaReason } from '@vigil/protocol';
import { Emitter } from './emitter.js';
import type { RestoreFailedEvent, SubscriberEvents } from './media-events.js';
import { createAudioElement, removeAudioElement } from './media/audio-element.js';
import { INTERNAL } from './media/internal.js';
import { readSubscriberStats, type SubscriberStats } from './media/media-stats.js';
import { PeerLink } from './media/peer-link.js';
import { createVideoElement, removeVideoElement, type VideoTarget } from './media/video-element.js';
import type { Stream } from './stream.js';

export interface SubscribeOptions {
  /** Receive the stream's audio (default true). */
  subscribeToAudio?: boolean;
  /** Receive the stream's video (default true). */
  subscribeToVideo?: boolean;
}

/**
 * How the session's lifecycle engine wants a new subscriber to start: its video view deferred (a phone
 * app in the background may create none; audio plays through an `<audio>` element meanwhile) and/or
 * its video not requested yet. Kept off the public `SubscribeOptions` type: only the engine sets it.
 */
export interface SubscriberLifecycleStart {
  deferRenderer: boolean;
  dropVideo: boolean;
}
const lifecycleStarts = new WeakMap<SubscribeOptions, SubscriberLifecycleStart>();

/** `options` (a copy) carrying the engine's start plan to the `Subscriber` constructor. */
export function withLifecycleStart(options: SubscribeOptions, start: SubscriberLifecycleStart): SubscribeOptions {
  const copy = { ...options };
  lifecycleStarts.set(copy, start);
  return copy;
}

/** What a subscriber uses of its session (provided by the stream manager). */
export interface SubscriberBinding {
  readonly iceServers: IceServer[];
  sdp(sdpType: 'offer' | 'answer', sdp: string): Promise<void>;
  ice(candidate: IceCandidateInfo): void;
  update(change: { subscribeToAudio?: boolean; subscribeToVideo?: boolean }): Promise<void>;
  unsubscribe(): Promise<void>;
}

type EmitSubscriberEvent = <K extends keyof SubscriberEvents>(type: K, payload: SubscriberEvents[K]) => void;

/** The receiving half: one answering peer connection, fed by the publisher (relayed) or the server (routed). */
export class SubscriberCore {
  readonly #owner: Subscriber;
  readonly #binding: SubscriberBinding;
  readonly #emit: EmitSubscriberEvent;
  readonly mediaStream: MediaStream | undefined;
  link: PeerLink | undefined;
  /** Received audio is muted here (not at the server) for an audio interruption. */
  audioMuted = false;
  /** Plays the audio while the video view is deferred. */
  audioElement: HTMLAudioElement | undefined;
  destroyedReason: StreamDestroyedReason | 'unsubscribed' | undefined;

  constructor(owner: Subscriber, binding: SubscriberBinding, emit: EmitSubscriberEvent) {
    this.#owner = owner;
    this.#binding = binding;
    this.#emit = emit;
    this.mediaStream = typeof MediaStream === 'function' ? new MediaStream() : undefined;
  }

  get binding(): SubscriberBinding {
    return this.#binding;
  }

  /** The other side's offer (a new one replaces the old connection: the publisher restarted it). */
  onOffer(sdp: string): void {
    if (this.destroyedReason) {
      return;
    }
    this.link?.close();
    const link = new PeerLink(this.#binding.iceServers, {
      sdp: (sdpType, text) => this.#binding.sdp(sdpType, text),
      ice: (candidate) => this.#binding.ice(candidate),
    });
    this.link = link;
    link.pc.ontrack = (event) => {
      if (event.track.kind === 'audio' && this.audioMuted) {
        event.track.enabled = false;
      }
      const stream = this.mediaStream;
      if (stream && !stream.getTracks().includes(event.track)) {
        for (const old of stream.getTracks().filter((t) => t.kind === event.track.kind)) {
          stream.removeTrack(old);
        }
        stream.addTrack(event.track);
      }
    };
    link.pc.onconnectionstatechange = () => {
      if (link.pc.connectionState === 'connected') {
        this.#emit('connected', {});
      } else if (link.pc.connectionState === 'failed') {
        this.#emit('error', { error: new VigilError('MEDIA_CONNECTION_FAILED') });
      }
    };
    link.answer(sdp).catch((err: unknown) => {
      this.#emit('error', { error: isVigilError(err) ? err : new VigilError('MEDIA_CONNECTION_FAILED', String((err as Error | undefined)?.message ?? err)) });
    });
  }

  onCandidate(candidate: IceCandidateInfo): void {
    this.link?.addCandidate(candidate).catch(() => undefined);
  }

  /**
   * Set before the SDK changes a subscription for the lifecycle: the server reports the change as
   * `subscribeToVideo`, but the app must be told the real reason (`background`).
   */
  readonly relabel: Partial<Record<MediaKind, SubscriberMediaReason>> = {};

  onMedia(kind: MediaKind, enabled: boolean, serverReason: SubscriberMediaReason): void {
    let reason = serverReason;
    const own = kind === 'audio' ? 'subscribeToAudio' : 'subscribeToVideo';
    const relabel = this.relabel[kind];
    if (relabel !== undefined && serverReason === own) {
      reason = relabel;
      delete this.relabel[kind];
    }
    const event = kind === 'audio' ? (enabled ? 'audioEnabled' : 'audioDisabled') : enabled ? 'videoEnabled' : 'videoDisabled';
    this.#emit(event, { reason });
  }

  /** Ends the subscriber once: closes the connection, removes the video, tells the app. */
  destroy(reason: StreamDestroyedReason | 'unsubscribed'): void {
    if (this.destroyedReason) {
      return;
    }
    this.destroyedReason = reason;
    this.link?.close();
    this.link = undefined;
    removeVideoElement(this.#owner.element);
    this.#owner.element = undefined;
    removeAudioElement(this.audioElement);
    this.audioElement = undefined;
    this.#emit('destroyed', { reason });
  }
}

/**
 * One stream you receive, as OpenTok's `Subscriber`: its video (and audio) in a `<video>` element,
 * switches for audio and video, and statistics. Made by `session.subscribe()`.
 *
 * Under the session's lifecycle engine (docs/lifecycle.md) the SDK may, on its own: defer the video
 * element of a subscriber made in the background (audio plays meanwhile), stop receiving video in the
 * background (`videoDisabled`/`videoEnabled` with reason `background`), and mute the received audio
 * during an audio interruption (`audioDisabled`/`audioEnabled` with reason `interrupted`).
 */
export class Subscriber extends Emitter<SubscriberEvents> {
  /** The subscription's id (unique per stream). */
  readonly id: string;
  readonly stream: Stream;
  /** The video element; undefined while the lifecycle engine defers it (subscribed in the background). */
  element: HTMLVideoElement | undefined;
  readonly [INTERNAL]: SubscriberCore;
  readonly #target: VideoTarget;
  /** What the app asked for (`subscribeToAudio` / `subscribeToVideo`). */
  #audio: boolean;
  #video: boolean;
  /** The lifecycle engine holds video off (background); the app's `#video` is kept for the return. */
  #videoHeld: boolean;
  /** What the server was last asked to send. */
  readonly #requested: Record<MediaKind, boolean>;
  #lastUpdate: Promise<void> | undefined;
  /**
   * Set while the session's lifecycle engine manages this subscriber: the app's own toggles go to the
   * engine (which may hold video off until the app is active again) instead of straight to the server.
   */
  lifecycleToggle: ((kind: MediaKind, on: boolean) => void) | undefined;

  constructor(id: string, stream: Stream, target: VideoTarget, options: SubscribeOptions, binding: SubscriberBinding) {
    super();
    this.id = id;
    this.stream = stream;
    this.#target = target;
    this.#audio = options.subscribeToAudio !== false;
    this.#video = options.subscribeToVideo !== false;
    const start = lifecycleStarts.get(options);
    this.#videoHeld = start?.dropVideo === true;
    this.#requested = { audio: this.#audio, video: this.#video && !this.#videoHeld };
    this[INTERNAL] = new SubscriberCore(this, binding, (type, payload) => this.emit(type, payload));
    const media = this[INTERNAL].mediaStream;
    if (media && start?.deferRenderer === true) {
      this[INTERNAL].audioElement = createAudioElement(media, target);
    } else {
      this.attachVideoView();
    }
  }

  /** Whether you asked for the audio (`subscribeToAudio`). */
  get audioSubscribed(): boolean {
    return this.#requested.audio;
  }

  /** Whether video is requested from the server: your `subscribeToVideo`, unless the SDK holds it off in the background. */
  get videoSubscribed(): boolean {
    return this.#requested.video;
  }

  /** What you asked for with `subscribeToAudio`/`subscribeToVideo`, whatever the SDK holds off for now. */
  get requestedByApp(): Readonly<Record<MediaKind, boolean>> {
    return { audio: this.#audio, video: this.#video };
  }

  /** The received media (audio and video tracks), for your own renderer. */
  get mediaStream(): MediaStream | undefined {
    return this[INTERNAL].mediaStream;
  }

  /** Stops or resumes receiving audio; `audioDisabled`/`audioEnabled` follow with reason `subscribeToAudio`. */
  async subscribeToAudio(on: boolean): Promise<void> {
    await this.#set('audio', on);
  }

  /**
   * Stops or resumes receiving video; `videoDisabled`/`videoEnabled` follow with reason
   * `subscribeToVideo`. Turned on while the app is in the background, video starts on return.
   */
  async subscribeToVideo(on: boolean): Promise<void> {
    await this.#set('video', on);
  }

  /** What is being received: frames decoded and their size, packets, losses. */
  async getStats(): Promise<SubscriberStats> {
    const link = this[INTERNAL].link;
    if (!link) {
      throw new VigilError('NOT_CONNECTED', 'The subscriber has no media connection yet.');
    }
    return readSubscriberStats(link.pc);
  }

  /**
   * Applies the app's own toggle once the lifecycle engine let it through (`setSubscribeTo*`), or the
   * engine giving up on restoring audio. Called by the session's lifecycle engine.
   */
  applySubscription(kind: MediaKind, on: boolean): Promise<void> {
    if (kind === 'audio') {
      this.#audio = on;
    } else {
      this.#video = on;
      this.#videoHeld = false;
    }
    return this.#sync(kind, undefined);
  }

  /** Holds video off in the background, or takes it back (reason `background`). Called by the lifecycle engine. */
  holdVideo(held: boolean): Promise<void> {
    this.#videoHeld = held;
    return this.#sync('video', 'background');
  }

  /**
   * Mutes or unmutes the received audio here, for an audio interruption: the app gets
   * `audioDisabled`/`audioEnabled` with reason `interrupted`. Called by the lifecycle engine.
   */
  muteAudioForInterruption(muted: boolean): void {
    const core = this[INTERNAL];
    if (core.audioMuted === muted) {
      return;
    }
    core.audioMuted = muted;
    for (const track of core.mediaStream?.getAudioTracks() ?? []) {
      track.enabled = !muted;
    }
    this.emit(muted ? 'audioDisabled' : 'audioEnabled', { reason: 'interrupted' });
  }

  /** Emits `audioRestoreFailed`. Called by the lifecycle engine. */
  lifecycleRestoreFailed(event: RestoreFailedEvent): void {
    this.emit('audioRestoreFailed', { attempt: event.attempt, retryInMs: event.retryInMs });
  }

  /**
   * Creates the video element (and `videoElementCreated`) if there is none yet; the `<audio>` that
   * played meanwhile goes. Done at once, or by the lifecycle engine when the app is active again.
   */
  attachVideoView(): void {
    const core = this[INTERNAL];
    const media = core.mediaStream;
    if (this.element || !media || core.destroyedReason) {
      return;
    }
    removeAudioElement(core.audioElement);
    core.audioElement = undefined;
    this.element = createVideoElement(media, this.#target, { muted: false, className: 'vigil-subscriber' });
    if (this.element) {
      this.emit('videoElementCreated', { element: this.element });
    }
  }

  protected override onListenerError(error: unknown, event: string): void {
    if (event === 'exception') {
      super.onListenerError(error, event);
      return;
    }
    this.emit('exception', { error, event });
  }

  async #set(kind: MediaKind, on: boolean): Promise<void> {
    if (typeof on !== 'boolean') {
      throw new TypeError(`subscribeTo${kind === 'audio' ? 'Audio' : 'Video'}(on): on must be a boolean`);
    }
    if ((kind === 'audio' ? this.#audio : this.#video) === on) {
      return;
    }
    if (kind === 'audio') {
      this.#audio = on;
    } else {
      this.#video = on;
    }
    if (!this.lifecycleToggle) {
      await this.#sync(kind, undefined);
      return;
    }
    // The engine answers synchronously with the effect (if any) that changes the subscription.
    this.#lastUpdate = undefined;
    this.lifecycleToggle(kind, on);
    await this.#lastUpdate;
  }

  /** Asks the server for what is wanted now; `relabel` is the reason the app is told instead of `subscribeTo*`. */
  #sync(kind: MediaKind, relabel: SubscriberMediaReason | undefined): Promise<void> {
    const wanted = kind === 'audio' ? this.#audio : this.#video && !this.#videoHeld;
    if (this.#requested[kind] === wanted) {
      return Promise.resolve();
    }
    this.#requested[kind] = wanted;
    const core = this[INTERNAL];
    if (relabel === undefined) {
      delete core.relabel[kind];
    } else {
      core.relabel[kind] = relabel;
    }
    const update = core.binding.update(kind === 'audio' ? { subscribeToAudio: wanted } : { subscribeToVideo: wanted });
    this.#lastUpdate = update;
    return update;
  }
}
