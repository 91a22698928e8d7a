import {
  VigilError,
  randomId,
  type IceDeliveryMessage,
  type IceServer,
  type SdpDeliveryMessage,
  type MediaMode,
  type StreamDestroyedReason,
  type StreamInfo,
  type StreamServerMessage,
  type VideoDimensions,
  type WelcomeMessage,
} from '@vigil/protocol';
import type { Connection } from './connection.js';
import { publisherBinding, publishRequest, subscriberBinding } from './media/bindings.js';
import { CreatedWaiters } from './media/created-waiters.js';
import { FORCE_MUTED } from './force-mute.js';
import { INTERNAL } from './media/internal.js';
import type { VideoTarget } from './media/video-element.js';
import type { Publisher } from './publisher.js';
import type { SessionEvents } from './session-events.js';
import { Stream } from './stream.js';
import { Subscriber, type SubscribeOptions, type SubscriberCore } from './subscriber.js';
import type { PublisherCore } from './media/publisher-core.js';

/** What the stream manager needs from its session. */
export interface StreamManagerPort {
  /** A request that gets one `ack` or `error` (rejects with the `VigilError`). */
  request(body: Record<string, unknown>): Promise<void>;
  /** A message with no reply (ICE candidates); dropped while the link is down. */
  send(body: Record<string, unknown>): void;
  emit<K extends 'streamCreated' | 'streamDestroyed' | 'streamPropertyChanged'>(type: K, payload: SessionEvents[K]): void;
  connection(id: string): Connection | undefined;
  ownConnectionId(): string | undefined;
  /** Bounded waits use the session's clock. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** A publisher was published again by itself after a rejoin (the session puts it back under the lifecycle engine). */
  republished(publisher: Publisher): void;
}

/**
 * The media side of a session: the streams in it, your publishers and subscribers, and the routing of
 * stream messages to them. Kept out of `Session` so the session stays about the connection.
 */
export class StreamManager {
  readonly #port: StreamManagerPort;
  #mediaMode: MediaMode = 'relayed';
  #iceServers: IceServer[] = [];
  readonly #streams = new Map<string, Stream>();
  /** Your publishers, by stream id, from `publish()` until their stream is destroyed. */
  readonly #publishers = new Map<string, Publisher>();
  readonly #subscribers = new Map<string, Subscriber>();
  readonly #created: CreatedWaiters;

  constructor(port: StreamManagerPort) {
    this.#port = port;
    this.#created = new CreatedWaiters(port);
  }

  /** Every stream in the session, yours included, oldest first. */
  get streams(): Stream[] {
    return [...this.#streams.values()];
  }

  get mediaMode(): MediaMode {
    return this.#mediaMode;
  }

  publisherForStream(streamId: string): Publisher | undefined {
    return this.#publishers.get(streamId);
  }

  subscribersForStream(streamId: string): Subscriber[] {
    return [...this.#subscribers.values()].filter((s) => s.stream.streamId === streamId);
  }

  /**
   * A connect or a rejoin. Streams already there are announced with `streamCreated` (after the session
   * has taken its new link over, so a listener may subscribe at once). After a rejoin, streams that
   * went meanwhile are destroyed, subscriptions are made again, and your publishers publish again.
   * `previousReason` is why the server ended the old connection (its streams ended with it).
   */
  welcome(welcome: WelcomeMessage, previousReason: StreamDestroyedReason = 'networkDisconnected'): void {
    this.#mediaMode = welcome.mediaMode;
    this.#iceServers = welcome.iceServers ?? [];
    const before = new Map(this.#streams);
    this.#streams.clear();
    const fresh: Stream[] = [];
    for (const info of welcome.streams ?? []) {
      const stream = before.get(info.id) ?? this.#makeStream(info);
      this.#streams.set(info.id, stream);
      if (!before.has(info.id)) {
        fresh.push(stream);
      }
    }
    const ownPublishers = [...this.#publishers.entries()];
    this.#publishers.clear();
    // Subscribers from before a rejoin; those the app makes in its `streamCreated` listeners are new.
    const earlierSubscribers = [...this.#subscribers.values()];
    queueMicrotask(() => {
      for (const [streamId, stream] of before) {
        if (!this.#streams.has(streamId) && !ownPublishers.some(([id]) => id === streamId)) {
          this.#streamGone(stream, 'networkDisconnected');
        }
      }
      for (const stream of fresh) {
        this.#port.emit('streamCreated', { stream });
      }
      for (const subscriber of earlierSubscribers) {
        this.#resubscribe(subscriber);
      }
      for (const [streamId, publisher] of ownPublishers) {
        const old = before.get(streamId);
        const core = publisher[INTERNAL];
        if (old) {
          core.destroyed(old, previousReason);
        } else {
          core.closeLinks();
          core.binding = undefined;
        }
        this.publish(publisher).then(
          () => this.#port.republished(publisher),
          (error: unknown) => publisher[INTERNAL].reportError(error),
        );
      }
    });
  }

  /** The session ended: every publisher's stream and every subscriber ends with its reason. */
  disconnected(reason: StreamDestroyedReason): void {
    for (const [streamId, publisher] of this.#publishers) {
      const stream = this.#streams.get(streamId);
      if (stream) {
        publisher[INTERNAL].destroyed(stream, reason);
      } else {
        publisher[INTERNAL].closeLinks();
        publisher[INTERNAL].binding = undefined;
      }
    }
    this.#publishers.clear();
    for (const subscriber of this.#subscribers.values()) {
      subscriber[INTERNAL].destroy(reason);
    }
    this.#subscribers.clear();
    this.#streams.clear();
  }

  async publish(publisher: Publisher): Promise<void> {
    await publisher.ready;
    const core = publisher[INTERNAL];
    if (core.binding) {
      throw new VigilError('STREAM_ALREADY_PUBLISHED', 'This publisher is already published.');
    }
    const streamId = randomId();
    core.binding = publisherBinding(this.#port, {
      mediaMode: this.#mediaMode,
      iceServers: this.#iceServers,
      streamId,
      unpublish: (reason) => this.#unpublish(streamId, reason),
    });
    this.#publishers.set(streamId, publisher);
    const created = this.#created.wait(streamId);
    try {
      await this.#port.request(publishRequest(publisher, streamId));
      if (this.#mediaMode === 'routed') {
        await core.connectUpstream();
      }
      await created.done;
    } catch (err) {
      created.cancel();
      if (this.#publishers.get(streamId) === publisher) {
        this.#publishers.delete(streamId);
        core.closeLinks();
        core.binding = undefined;
        this.#port.request({ type: 'unpublish', streamId }).catch(() => undefined);
      }
      throw err;
    }
  }

  async unpublish(publisher: Publisher): Promise<void> {
    const streamId = publisher[INTERNAL].binding?.streamId;
    if (streamId !== undefined) {
      await this.#unpublish(streamId, 'unpublished');
    }
  }

  async subscribe(stream: Stream, target: VideoTarget, options: SubscribeOptions): Promise<Subscriber> {
    if (this.#streams.get(stream.streamId) !== stream) {
      throw new VigilError('STREAM_NOT_FOUND');
    }
    const subscriptionId = randomId();
    const ids = { streamId: stream.streamId, subscriptionId };
    const subscriber = new Subscriber(subscriptionId, stream, target, options, subscriberBinding(this.#port, ids, this.#iceServers));
    this.#subscribers.set(subscriptionId, subscriber);
    try {
      await this.#port.request(this.#subscribeBody(subscriber));
    } catch (err) {
      this.#subscribers.delete(subscriptionId);
      subscriber[INTERNAL].destroy('unsubscribed');
      throw err;
    }
    return subscriber;
  }

  async unsubscribe(subscriber: Subscriber): Promise<void> {
    if (this.#subscribers.get(subscriber.id) !== subscriber) {
      return;
    }
    this.#subscribers.delete(subscriber.id);
    subscriber[INTERNAL].destroy('unsubscribed');
    // The stream may have ended meanwhile; then there is nothing left to undo on the server.
    await subscriber[INTERNAL].binding.unsubscribe().catch(() => undefined);
  }

  /** Handles one stream message from the server. */
  onMessage(message: StreamServerMessage): void {
    switch (message.type) {
      case 'streamCreated': {
        const stream = this.#makeStream(message.stream);
        this.#streams.set(stream.streamId, stream);
        const publisher = this.#publishers.get(stream.streamId);
        if (publisher && stream.connectionId === this.#port.ownConnectionId()) {
          publisher[INTERNAL].created(stream);
          this.#created.created(stream.streamId);
        } else {
          this.#port.emit('streamCreated', { stream });
        }
        return;
      }
      case 'streamDestroyed': {
        const stream = this.#streams.get(message.streamId);
        if (stream) {
          this.#streamGone(stream, message.reason);
        }
        return;
      }
      case 'streamPropertyChanged': {
        const stream = this.#streams.get(message.streamId);
        if (!stream) {
          return;
        }
        if (message.changedProperty === 'videoDimensions') {
          stream.videoDimensions = (message.newValue as VideoDimensions | null) ?? undefined;
        } else if (message.changedProperty === 'layoutClassList') {
          stream.layoutClassList = Array.isArray(message.newValue) ? [...message.newValue] : [];
        } else {
          stream[message.changedProperty] = message.newValue === true;
        }
        const { changedProperty, oldValue, newValue, reason } = message;
        this.#port.emit('streamPropertyChanged', { stream, changedProperty, oldValue, newValue, reason });
        return;
      }
      case 'subscriberMedia':
        this.#subscribers.get(message.subscriptionId)?.[INTERNAL].onMedia(message.kind, message.enabled, message.reason);
        return;
      case 'subscriptionCreated':
        this.#publishers.get(message.streamId)?.[INTERNAL].addSubscriber(message.subscriptionId, {
          audio: message.subscribeToAudio,
          video: message.subscribeToVideo,
        });
        return;
      case 'subscriptionChanged':
        this.#publishers.get(message.streamId)?.[INTERNAL].updateSubscriber(message.subscriptionId, {
          audio: message.subscribeToAudio,
          video: message.subscribeToVideo,
        });
        return;
      case 'subscriptionDestroyed':
        this.#publishers.get(message.streamId)?.[INTERNAL].removeSubscriber(message.subscriptionId);
        return;
      case 'streamMuteForced':
        this.#publishers.get(message.streamId)?.[FORCE_MUTED]();
        return;
      case 'muteForced':
        // The session's mute state is the session's event (`session.ts`); nothing to do per stream.
        return;
      case 'sdp':
      case 'ice': {
        const subscriber = message.subscriptionId === undefined ? undefined : this.#subscribers.get(message.subscriptionId);
        routeNegotiation(message, subscriber?.stream.streamId === message.streamId ? subscriber[INTERNAL] : undefined, this.#publishers.get(message.streamId)?.[INTERNAL]);
        return;
      }
      default: {
        const unreachable: never = message;
        void unreachable;
      }
    }
  }

  async #unpublish(streamId: string, reason: 'unpublished' | 'mediaStopped'): Promise<void> {
    const publisher = this.#publishers.get(streamId);
    if (!publisher) {
      return;
    }
    publisher[INTERNAL].closeLinks();
    // The stream's `streamDestroyed` (to everyone, this publisher included) follows the ack.
    await this.#port.request({ type: 'unpublish', streamId, reason });
  }

  #streamGone(stream: Stream, reason: StreamDestroyedReason): void {
    this.#streams.delete(stream.streamId);
    for (const subscriber of this.subscribersForStream(stream.streamId)) {
      this.#subscribers.delete(subscriber.id);
      subscriber[INTERNAL].destroy(reason);
    }
    const publisher = this.#publishers.get(stream.streamId);
    if (publisher) {
      this.#publishers.delete(stream.streamId);
      publisher[INTERNAL].destroyed(stream, reason);
    } else {
      this.#port.emit('streamDestroyed', { stream, reason });
    }
  }

  #resubscribe(subscriber: Subscriber): void {
    if (!this.#streams.has(subscriber.stream.streamId)) {
      return;
    }
    this.#port.request(this.#subscribeBody(subscriber)).catch((error: unknown) => {
      this.#subscribers.delete(subscriber.id);
      subscriber[INTERNAL].destroy('networkDisconnected');
      void error;
    });
  }

  #subscribeBody(subscriber: Subscriber): Record<string, unknown> {
    return {
      type: 'subscribe',
      streamId: subscriber.stream.streamId,
      subscriptionId: subscriber.id,
      subscribeToAudio: subscriber.audioSubscribed,
      subscribeToVideo: subscriber.videoSubscribed,
    };
  }

  #makeStream(info: StreamInfo): Stream {
    return new Stream(info, this.#port.connection(info.connectionId));
  }
}


/**
 * Where an offer, answer or candidate goes. With a subscription id it belongs to one of your
 * subscribers (the offer from the other side) or, relayed, to your publisher's link to that
 * subscriber (its answer); without one, to a routed publisher's link to the server.
 */
function routeNegotiation(message: SdpDeliveryMessage | IceDeliveryMessage, subscriber: SubscriberCore | undefined, publisher: PublisherCore | undefined): void {
  if (message.type === 'sdp') {
    if (subscriber && message.sdpType === 'offer') {
      subscriber.onOffer(message.sdp);
    } else if (message.sdpType === 'answer') {
      publisher?.onAnswer(message.subscriptionId, message.sdp);
    }
  } else if (subscriber) {
    subscriber.onCandidate(message.candidate);
  } else {
    publisher?.onCandidate(message.subscriptionId, message.candidate);
  }
}
