import { VigilError, isVigilError, type IceCandidateInfo, type IceServer, type MediaKind, type StreamDestroyedReason, type SubscriberMediaReason } from '@vigil/protocol';
import { Emitter } from './emitter.js';
import type { SubscriberEvents } from './media-events.js';
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

  onMedia(kind: MediaKind, enabled: boolean, reason: SubscriberMediaReason): void {
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
    this.#emit('destroyed', { reason });
  }
}

/**
 * One stream you receive, as OpenTok's `Subscriber`: its video (and audio) in a `<video>` element,
 * switches for audio and video, and statistics. Made by `session.subscribe()`.
 */
export class Subscriber extends Emitter<SubscriberEvents> {
  /** The subscription's id (unique per stream). */
  readonly id: string;
  readonly stream: Stream;
  element: HTMLVideoElement | undefined;
  readonly [INTERNAL]: SubscriberCore;
  #audio: boolean;
  #video: boolean;

  constructor(id: string, stream: Stream, target: VideoTarget, options: SubscribeOptions, binding: SubscriberBinding) {
    super();
    this.id = id;
    this.stream = stream;
    this.#audio = options.subscribeToAudio !== false;
    this.#video = options.subscribeToVideo !== false;
    this[INTERNAL] = new SubscriberCore(this, binding, (type, payload) => this.emit(type, payload));
    const media = this[INTERNAL].mediaStream;
    if (media) {
      this.element = createVideoElement(media, target, { muted: false, className: 'vigil-subscriber' });
      if (this.element) {
        this.emit('videoElementCreated', { element: this.element });
      }
    }
  }

  /** Whether you asked for the audio (`subscribeToAudio`). */
  get audioSubscribed(): boolean {
    return this.#audio;
  }

  get videoSubscribed(): boolean {
    return this.#video;
  }

  /** The received media (audio and video tracks), for your own renderer. */
  get mediaStream(): MediaStream | undefined {
    return this[INTERNAL].mediaStream;
  }

  /** Stops or resumes receiving audio; `audioDisabled`/`audioEnabled` follow with reason `subscribeToAudio`. */
  async subscribeToAudio(on: boolean): Promise<void> {
    await this.#set('audio', on);
  }

  /** Stops or resumes receiving video; `videoDisabled`/`videoEnabled` follow with reason `subscribeToVideo`. */
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
    await this[INTERNAL].binding.update(kind === 'audio' ? { subscribeToAudio: on } : { subscribeToVideo: on });
  }
}
