import { isVigilError, VigilError, type StreamDestroyedReason, type IceCandidateInfo, type IceServer, type MediaKind, type MediaMode, type VideoDimensions } from '@vigil/protocol';
import type { Stream } from '../stream.js';
import { PeerLink } from './peer-link.js';

/** What the core reports to its `Publisher`, which turns it into events. */
export interface PublisherHooks {
  error(error: VigilError): void;
  created(stream: Stream): void;
  destroyed(stream: Stream, reason: StreamDestroyedReason): void;
}

/** What a published publisher uses of its session (provided by the stream manager). */
export interface PublisherBinding {
  readonly mediaMode: MediaMode;
  readonly iceServers: IceServer[];
  readonly streamId: string;
  /** Sends an offer on the link of `subscriptionId` (relayed) or to the server (routed, undefined). */
  sdp(subscriptionId: string | undefined, sdpType: 'offer' | 'answer', sdp: string): Promise<void>;
  ice(subscriptionId: string | undefined, candidate: IceCandidateInfo): void;
  update(change: { hasAudio?: boolean; hasVideo?: boolean; videoDimensions?: VideoDimensions; reason?: 'background' | 'interrupted' }): Promise<void>;
  unpublish(reason: 'unpublished' | 'mediaStopped'): Promise<void>;
}

interface SubscriberLink {
  link: PeerLink;
  /** What this subscriber wants (relayed `subscribeToAudio`/`subscribeToVideo`); always true upstream. */
  wants: Record<MediaKind, boolean>;
  senders: Partial<Record<MediaKind, RTCRtpSender>>;
}

/**
 * The sending side of a publisher: its tracks and its peer connections. Relayed: one link per
 * subscriber, each offered by this side. Routed: one link to the server. A kind is sent on a link
 * only while the publisher publishes it and (relayed) that subscriber wants it; otherwise its sender
 * carries no track, so nothing at all goes out (not even black frames).
 */
export class PublisherCore {
  audio: MediaStreamTrack | undefined;
  video: MediaStreamTrack | undefined;
  readonly sending: Record<MediaKind, boolean>;
  binding: PublisherBinding | undefined;
  readonly #links = new Map<string, SubscriberLink>();
  readonly #hooks: PublisherHooks;

  constructor(sending: Record<MediaKind, boolean>, hooks: PublisherHooks) {
    this.sending = { ...sending };
    this.#hooks = hooks;
  }

  /** The server announced this publisher's stream. */
  created(stream: Stream): void {
    this.#hooks.created(stream);
  }

  /** The stream ended (unpublished, media stopped, or the session ended): close every link. */
  destroyed(stream: Stream, reason: StreamDestroyedReason): void {
    this.closeLinks();
    this.binding = undefined;
    this.#hooks.destroyed(stream, reason);
  }

  /** Number of open peer connections (for tests and the lifecycle engine). */
  get linkCount(): number {
    return this.#links.size;
  }

  track(kind: MediaKind): MediaStreamTrack | undefined {
    return kind === 'audio' ? this.audio : this.video;
  }

  /** Routed: connect to the server's forwarding unit. */
  async connectUpstream(): Promise<void> {
    await this.#open('', { audio: true, video: true });
  }

  /** Relayed: a subscriber asked for this stream; offer it a peer connection. */
  addSubscriber(subscriptionId: string, wants: Record<MediaKind, boolean>): void {
    if (this.#links.has(subscriptionId)) {
      return;
    }
    this.#open(subscriptionId, wants).catch((err: unknown) => this.#fail(err));
  }

  updateSubscriber(subscriptionId: string, wants: Record<MediaKind, boolean>): void {
    const entry = this.#links.get(subscriptionId);
    if (entry) {
      entry.wants = { ...wants };
      this.#apply(entry);
    }
  }

  removeSubscriber(subscriptionId: string): void {
    this.#links.get(subscriptionId)?.link.close();
    this.#links.delete(subscriptionId);
  }

  onAnswer(subscriptionId: string | undefined, sdp: string): void {
    this.#links.get(subscriptionId ?? '')?.link.acceptAnswer(sdp).catch((err: unknown) => this.#fail(err));
  }

  onCandidate(subscriptionId: string | undefined, candidate: IceCandidateInfo): void {
    this.#links.get(subscriptionId ?? '')?.link.addCandidate(candidate).catch(() => undefined);
  }

  /** Turns a kind on or off on every link. */
  setSending(kind: MediaKind, on: boolean): void {
    this.sending[kind] = on;
    for (const entry of this.#links.values()) {
      this.#apply(entry);
    }
  }

  /**
   * Swaps the track of `kind` (a camera opened again after a failed restore) on every link; links
   * opened later use it too. The caller owns the old track.
   */
  replaceTrack(kind: MediaKind, track: MediaStreamTrack): void {
    if (kind === 'audio') {
      this.audio = track;
    } else {
      this.video = track;
    }
    for (const entry of this.#links.values()) {
      this.#apply(entry);
    }
  }

  /** The connected peer connections that send `kind` now: where a restore can be seen in RTP stats. */
  sendingConnections(kind: MediaKind): RTCPeerConnection[] {
    if (!this.sending[kind] || !this.track(kind)) {
      return [];
    }
    return [...this.#links.values()]
      .filter((entry) => entry.wants[kind] && entry.senders[kind] !== undefined && entry.link.pc.connectionState === 'connected')
      .map((entry) => entry.link.pc);
  }

  /** Closes every peer connection (unpublished, or the session ended). */
  closeLinks(): void {
    for (const entry of this.#links.values()) {
      entry.link.close();
    }
    this.#links.clear();
  }

  /** The key `''` is the routed link to the server; otherwise a subscription id. */
  async #open(key: string, wants: Record<MediaKind, boolean>): Promise<void> {
    const binding = this.binding;
    if (!binding) {
      return;
    }
    const subscriptionId = key === '' ? undefined : key;
    const link = new PeerLink(binding.iceServers, {
      sdp: (sdpType, sdp) => binding.sdp(subscriptionId, sdpType, sdp),
      ice: (candidate) => binding.ice(subscriptionId, candidate),
    });
    const entry: SubscriberLink = { link, wants: { ...wants }, senders: {} };
    const stream = typeof MediaStream === 'function' ? new MediaStream() : undefined;
    for (const kind of ['audio', 'video'] as const) {
      const track = this.track(kind);
      if (track) {
        stream?.addTrack(track);
        const transceiver = link.pc.addTransceiver(track, stream ? { direction: 'sendonly', streams: [stream] } : { direction: 'sendonly' });
        entry.senders[kind] = transceiver.sender;
      }
    }
    this.#links.set(key, entry);
    this.#apply(entry);
    await link.offer();
  }

  #apply(entry: SubscriberLink): void {
    for (const kind of ['audio', 'video'] as const) {
      const sender = entry.senders[kind];
      const track = this.track(kind);
      if (!sender || !track) {
        continue;
      }
      const wanted = this.sending[kind] && entry.wants[kind] ? track : null;
      if (sender.track !== wanted) {
        sender.replaceTrack(wanted).catch((err: unknown) => this.#fail(err));
      }
    }
  }

  /** Reports a failure after `publish()` resolved as the publisher's `error` event. */
  reportError(err: unknown): void {
    this.#fail(err);
  }

  #fail(err: unknown): void {
    this.#hooks.error(isVigilError(err) ? err : new VigilError('MEDIA_CONNECTION_FAILED', String((err as Error | undefined)?.message ?? err)));
  }
}
