import { VigilError, isVigilError, type VideoDimensions, type VideoType } from '@vigil/protocol';
import { Emitter } from './emitter.js';
import { FORCE_MUTED, stopAudioForModerator } from './force-mute.js';
import type { PublisherEvents, RestoreFailedEvent } from './media-events.js';
import { INTERNAL } from './media/internal.js';
import { PublisherCore } from './media/publisher-core.js';
import { capture, type MediaSource } from './media/user-media.js';
import { createVideoElement, removeVideoElement, type VideoTarget } from './media/video-element.js';
import type { Stream } from './stream.js';

export interface PublisherOptions {
  /** The stream's name, shown to subscribers. */
  name?: string;
  /** A camera's device id, `false` for no video, or your own `MediaStreamTrack` (canvas, screen…). Default: the camera. */
  videoSource?: MediaSource;
  /** A microphone's device id, `false` for no audio, or your own track. Default: the microphone. */
  audioSource?: MediaSource;
  /** Start with audio on (default true). */
  publishAudio?: boolean;
  /** Start with video on (default true). */
  publishVideo?: boolean;
  /** Camera resolution, e.g. `'640x480'` (an ideal; the camera may give another). */
  resolution?: string | { width: number; height: number };
  /** Camera frame rate (an ideal). */
  frameRate?: number;
  /** What the video is; default `camera`, or `custom` when `videoSource` is a track. Say `screen` for screen sharing. */
  videoType?: VideoType;
}

/**
 * Your camera and microphone (or your own tracks), ready to publish into a session, as OpenTok's
 * `Publisher`. Media is opened at once; `accessAllowed` or `accessDenied` tells how that went, and
 * `session.publish(publisher)` waits for it.
 *
 * @example
 * const publisher = initPublisher('me', { name: 'Ann', resolution: '640x480' });
 * publisher.on('accessDenied', ({ error }) => console.warn(error.code));
 * await session.publish(publisher);
 * publisher.publishVideo(false);
 */
export class Publisher extends Emitter<PublisherEvents> {
  readonly name: string;
  readonly videoType: VideoType;
  /** The local preview, once media is open and a target was given (or the page has a document). */
  element: HTMLVideoElement | undefined;
  /** Your stream, while it is published. */
  stream: Stream | undefined;
  readonly [INTERNAL]: PublisherCore;
  readonly #ready: Promise<void>;
  readonly #owned: MediaStreamTrack[] = [];
  /** What `#open` captured with, so a camera that stopped delivering frames can be opened again. */
  #captureOptions: PublisherOptions = {};
  readonly #unwatch: (() => void)[] = [];
  #destroyed = false;
  /**
   * Set while the session's lifecycle engine manages this publisher: the app's own toggles go to the
   * engine (which may hold them until the app is active again) instead of straight to the media.
   */
  lifecycleToggle: ((kind: 'audio' | 'video', on: boolean) => void) | undefined;

  constructor(target: VideoTarget, options: PublisherOptions = {}) {
    super();
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw new TypeError('initPublisher: name must be a string');
    }
    this.name = options.name ?? '';
    const customVideo = typeof options.videoSource === 'object' && options.videoSource !== null;
    this.videoType = options.videoType ?? (customVideo ? 'custom' : 'camera');
    const core = new PublisherCore(
      { audio: options.publishAudio !== false, video: options.publishVideo !== false },
      {
        error: (error) => this.emit('error', { error }),
        created: (stream) => {
          this.stream = stream;
          this.emit('streamCreated', { stream });
        },
        destroyed: (stream, reason) => {
          this.stream = undefined;
          this.emit('streamDestroyed', { stream, reason });
        },
      },
    );
    this[INTERNAL] = core;
    this.#ready = this.#open(target, options);
    // Reported through `accessDenied` and `publish()`; not an unhandled rejection when nobody waits.
    this.#ready.catch(() => undefined);
  }

  /** Resolves when media is open; rejects with `MEDIA_ACCESS_DENIED` or `MEDIA_DEVICE_NOT_FOUND`. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  /** The stream's id while published. */
  get streamId(): string | undefined {
    return this[INTERNAL].binding?.streamId;
  }

  get hasAudio(): boolean {
    return this[INTERNAL].audio !== undefined;
  }

  get hasVideo(): boolean {
    return this[INTERNAL].video !== undefined;
  }

  /** Whether audio is being published (`publishAudio`). */
  get publishingAudio(): boolean {
    return this[INTERNAL].sending.audio;
  }

  get publishingVideo(): boolean {
    return this[INTERNAL].sending.video;
  }

  /** The tracks being published (the local preview's media). */
  get tracks(): MediaStreamTrack[] {
    return [this[INTERNAL].audio, this[INTERNAL].video].filter((t): t is MediaStreamTrack => t !== undefined);
  }

  /**
   * Stops or resumes sending audio; subscribers get `audioDisabled`/`audioEnabled` (reason `publishAudio`).
   * After a moderator's mute (`muteForced`) the user may turn audio back on with this, as in OpenTok.
   */
  publishAudio(on: boolean): void {
    if (this.lifecycleToggle && typeof on === 'boolean') {
      this.lifecycleToggle('audio', on);
      return;
    }
    this.#setSending('audio', on);
  }

  /** Called by the stream manager when a moderator muted this publisher's stream (`force-mute.ts`). */
  [FORCE_MUTED](): void {
    stopAudioForModerator(this[INTERNAL], (on) => this.publishAudio(on));
    this.emit('muteForced', {});
  }

  /** Stops or resumes sending video; subscribers get `videoDisabled`/`videoEnabled` (reason `publishVideo`). */
  publishVideo(on: boolean): void {
    if (this.lifecycleToggle && typeof on === 'boolean') {
      this.lifecycleToggle('video', on);
      return;
    }
    this.#setSending('video', on);
  }

  /**
   * Applies a lifecycle decision: sends or stops a kind and tells everyone why (`background`,
   * `interrupted`, or the app's own `publishAudio`/`publishVideo` held through the background).
   */
  applyLifecycle(kind: 'audio' | 'video', on: boolean, reason: 'background' | 'interrupted' | 'app'): void {
    this.#setSending(kind, on, reason === 'app' ? undefined : reason);
  }

  /**
   * Emits `videoRestoreFailed` / `audioRestoreFailed`: the lifecycle engine turned media back on and it
   * did not flow (see `docs/lifecycle.md`). Called by the session's lifecycle engine.
   */
  lifecycleRestoreFailed(kind: 'audio' | 'video', event: RestoreFailedEvent): void {
    this.emit(kind === 'video' ? 'videoRestoreFailed' : 'audioRestoreFailed', { attempt: event.attempt, retryInMs: event.retryInMs });
  }

  /**
   * Opens the camera again (same device and constraints) and sends the new track in place of the old
   * one, on every peer connection and in the preview: the retry after a restore showed no frames.
   * Resolves with the new track, or undefined when the video is the app's own track (only the app can
   * replace it), the publisher was destroyed, or the camera cannot be opened.
   */
  async reacquireVideo(): Promise<MediaStreamTrack | undefined> {
    const core = this[INTERNAL];
    const old = core.video;
    if (this.#destroyed || !old || !this.#owned.includes(old)) {
      return undefined;
    }
    let captured;
    try {
      captured = await capture({ ...this.#captureOptions, audioSource: false });
    } catch {
      return undefined;
    }
    const track = captured.video;
    if (!track || this.#destroyed || core.video !== old) {
      captured.owned.forEach((t) => t.stop());
      return undefined;
    }
    this.#owned.splice(this.#owned.indexOf(old), 1, track);
    old.stop();
    core.replaceTrack('video', track);
    this.#watchEnded(track);
    if (this.element) {
      this.element.srcObject = new MediaStream([track]);
    }
    return track;
  }

  /** The video's current size, from the track's settings. */
  videoDimensions(): VideoDimensions | undefined {
    const settings = this[INTERNAL].video?.getSettings?.();
    return settings?.width && settings.height ? { width: settings.width, height: settings.height } : undefined;
  }

  /** Unpublishes (when published), stops the tracks it opened and removes the preview. */
  destroy(): void {
    if (this.#destroyed) {
      return;
    }
    this.#destroyed = true;
    this[INTERNAL].binding?.unpublish('unpublished').catch(() => undefined);
    this[INTERNAL].closeLinks();
    for (const stop of this.#unwatch.splice(0)) {
      stop();
    }
    for (const track of this.#owned) {
      track.stop();
    }
    removeVideoElement(this.element);
    this.element = undefined;
  }

  protected override onListenerError(error: unknown, event: string): void {
    if (event === 'exception') {
      super.onListenerError(error, event);
      return;
    }
    this.emit('exception', { error, event });
  }

  async #open(target: VideoTarget, options: PublisherOptions): Promise<void> {
    let captured;
    try {
      captured = await capture(options);
    } catch (err) {
      const error = isVigilError(err) ? err : new VigilError('MEDIA_DEVICE_NOT_FOUND', String(err));
      if (error.code === 'MEDIA_ACCESS_DENIED') {
        this.emit('accessDenied', { error });
      }
      throw error;
    }
    if (this.#destroyed) {
      captured.owned.forEach((track) => track.stop());
      throw new VigilError('MEDIA_DEVICE_NOT_FOUND', 'The publisher was destroyed.');
    }
    const core = this[INTERNAL];
    core.audio = captured.audio;
    core.video = captured.video;
    this.#captureOptions = options;
    this.#owned.push(...captured.owned);
    for (const track of this.tracks) {
      this.#watchEnded(track);
    }
    if (typeof MediaStream === 'function' && this.tracks.length > 0) {
      const video = core.video ? new MediaStream([core.video]) : undefined;
      this.element = video ? createVideoElement(video, target, { muted: true, className: 'vigil-publisher' }) : undefined;
      if (this.element) {
        this.emit('videoElementCreated', { element: this.element });
      }
    }
    this.emit('accessAllowed', {});
  }

  #watchEnded(track: MediaStreamTrack): void {
    const ended = (): void => this.#trackEnded(track);
    track.addEventListener('ended', ended);
    this.#unwatch.push(() => track.removeEventListener('ended', ended));
  }

  #trackEnded(track: MediaStreamTrack): void {
    this.emit('mediaStopped', { track });
    if (this.tracks.every((t) => t.readyState === 'ended')) {
      this[INTERNAL].binding?.unpublish('mediaStopped').catch(() => undefined);
    }
  }

  #setSending(kind: 'audio' | 'video', on: boolean, reason?: 'background' | 'interrupted'): void {
    if (typeof on !== 'boolean') {
      throw new TypeError(`publish${kind === 'audio' ? 'Audio' : 'Video'}(on): on must be a boolean`);
    }
    const core = this[INTERNAL];
    if (core.sending[kind] === on) {
      return;
    }
    core.setSending(kind, on);
    if (core.track(kind) && core.binding) {
      const base = kind === 'audio' ? { hasAudio: on } : { hasVideo: on };
      const change = reason ? { ...base, reason } : base;
      core.binding.update(change).catch((err: unknown) => this.emit('error', { error: isVigilError(err) ? err : new VigilError('INTERNAL') }));
    }
  }
}
