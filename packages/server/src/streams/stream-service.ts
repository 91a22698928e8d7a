import {
  MediaLimits,
  VigilError,
  isVigilError,
  randomId,
  type IceServer,
  type PublishMessage,
  type StreamDestroyedReason,
  type StreamInfo,
  type SubscribeMessage,
  type UnpublishMessage,
  type UnsubscribeMessage,
} from '@vigil/protocol';
import type { Clock } from '../clock.js';
import type { Connection } from '../connection.js';
import type { Logger } from '../logger.js';
import type { MediaEngine, MediaEngineStats } from '../media/routed/media-engine.js';
import type { Session, SessionRegistry } from '../session-registry.js';
import { CrossNodeStreams } from './cross-node-streams.js';
import { ForceMute } from './force-mute.js';
import { ServerStream, type Subscription } from './server-stream.js';
import { StreamMessaging } from './stream-messaging.js';

export interface StreamServiceOptions {
  registry: SessionRegistry;
  log: Logger;
  clock: Clock;
  iceServers: IceServer[];
  maxStreamsPerConnection: number;
  /** Called once, on the first routed publish, so relayed-only servers never start an engine. */
  createEngine: () => MediaEngine;
}

const NO_ENGINE_STATS: MediaEngineStats = {
  publishers: 0,
  subscribers: 0,
  peerConnections: 0,
  tracks: 0,
  packetsReceived: 0,
  packetsForwarded: 0,
  bytesForwarded: 0,
  keyFramesRequested: 0,
};

/**
 * Streams and subscriptions of every session: who publishes what, who receives it, and the rules
 * (roles, caps, ids). Relayed sessions only carry negotiation between the two clients (`signaling.ts`);
 * routed ones also drive the media engine. Each request gets exactly one `ack` or `error`.
 */
export class StreamService {
  readonly messaging: StreamMessaging;
  /** The app server's moderator mute (`forceMuteStream`, `forceMuteAll`, `disableForceMute`). */
  readonly forceMute: ForceMute;
  /** Relayed sessions whose publisher and subscriber are on different nodes. */
  readonly crossNode: CrossNodeStreams;
  readonly #options: StreamServiceOptions;
  readonly #subscriptionsOf = new WeakMap<Connection, Set<Subscription>>();
  #engine: MediaEngine | undefined;

  constructor(options: StreamServiceOptions) {
    this.#options = options;
    this.messaging = new StreamMessaging(options.registry, options.log);
    this.forceMute = new ForceMute(this);
    this.crossNode = new CrossNodeStreams(options.registry, this.messaging, options.log);
  }

  get iceServers(): IceServer[] {
    return this.#options.iceServers;
  }

  get log(): Logger {
    return this.#options.log;
  }

  /** The routed engine, started on first use. */
  get engine(): MediaEngine {
    this.#engine ??= this.#options.createEngine();
    return this.#engine;
  }

  /** The engine if a routed stream has started it (nothing to tell an engine that never ran). */
  get startedEngine(): MediaEngine | undefined {
    return this.#engine;
  }

  mediaStats(): MediaEngineStats {
    return this.#engine?.stats() ?? { ...NO_ENGINE_STATS };
  }

  /** Announced streams, oldest first, for a newcomer's welcome: this node's and those published elsewhere. */
  welcomeStreams(sessionId: string): StreamInfo[] {
    const session = this.#options.registry.get(sessionId);
    if (!session) {
      return [];
    }
    const local = [...session.streams.values()].filter((stream) => stream.live).map((stream) => stream.info());
    if (session.remoteStreams.size === 0) {
      return local;
    }
    return [...local, ...session.remoteStreams.list((id) => session.remote.has(id))].sort((a, b) => a.creationTime - b.creationTime);
  }

  session(connection: Connection): Session {
    const session = this.#options.registry.get(connection.sessionId);
    if (!session) {
      throw new VigilError('SESSION_NOT_FOUND');
    }
    return session;
  }

  publish(connection: Connection, message: PublishMessage): void {
    if (connection.role === 'subscriber') {
      throw new VigilError('NOT_PERMITTED', 'A subscriber token cannot publish.');
    }
    const session = this.session(connection);
    const streamId = message.streamId ?? randomId();
    if (session.streams.has(streamId)) {
      throw new VigilError('STREAM_ALREADY_PUBLISHED');
    }
    const own = [...session.streams.values()].filter((stream) => stream.publisher === connection).length;
    if (own >= this.#options.maxStreamsPerConnection) {
      throw new VigilError('STREAM_LIMIT_REACHED', `A connection may publish at most ${this.#options.maxStreamsPerConnection} streams.`);
    }
    // While `forceMuteAll` is active a new stream starts muted: everyone first sees it without audio.
    const forceMuted = this.forceMute.mutesNewStream(session, streamId);
    const stream = new ServerStream({
      id: streamId,
      publisher: connection,
      name: message.name,
      videoType: message.videoType,
      hasAudio: message.hasAudio && !forceMuted,
      hasVideo: message.hasVideo,
      videoDimensions: message.videoDimensions,
      nowMs: this.#options.clock.now(),
    });
    session.streams.set(streamId, stream);
    this.#options.registry.mediaStarted(connection);
    this.messaging.ack(connection, message.id);
    if (forceMuted) {
      this.forceMute.muteStream(session, stream);
    }
    if (session.mediaMode === 'relayed') {
      this.goLive(session, stream);
    }
  }

  /** Announces a stream to everyone, its publisher included (which learns its stream is up). */
  goLive(session: Session, stream: ServerStream): void {
    if (stream.live || session.streams.get(stream.id) !== stream) {
      return;
    }
    stream.live = true;
    this.messaging.broadcastStream(session, stream, { type: 'streamCreated', stream: stream.info() });
  }

  unpublish(connection: Connection, message: UnpublishMessage): void {
    const session = this.session(connection);
    const stream = this.ownStream(session, connection, message.streamId);
    this.messaging.ack(connection, message.id);
    this.destroyStream(session, stream, message.reason ?? 'unpublished');
  }

  subscribe(connection: Connection, message: SubscribeMessage): void {
    if (connection.role === 'publisheronly') {
      throw new VigilError('NOT_PERMITTED', 'A publisheronly token cannot subscribe.');
    }
    const session = this.session(connection);
    const stream = session.streams.get(message.streamId);
    const mine = this.#subscriptionsOf.get(connection) ?? new Set<Subscription>();
    const atLimit = () => mine.size + this.crossNode.count(connection) >= MediaLimits.maxSubscriptionsPerConnection;
    const remote = stream ? undefined : this.crossNode.liveRemote(session, message.streamId);
    if (remote && session.mediaMode === 'relayed') {
      this.crossNode.subscribe(session, connection, message, remote.info.connectionId, atLimit);
      this.#options.registry.mediaStarted(connection);
      return;
    }
    if (!stream?.live) {
      throw new VigilError('STREAM_NOT_FOUND');
    }
    if (stream.publisher === connection && session.mediaMode === 'relayed') {
      // Both ends of the peer connection would be this client: nothing to relay.
      throw new VigilError('NOT_PERMITTED', 'In a relayed session you cannot subscribe to your own stream.');
    }
    if (stream.subscriptions.has(message.subscriptionId)) {
      throw new VigilError('SUBSCRIPTION_ALREADY_EXISTS');
    }
    if (atLimit()) {
      throw new VigilError('SUBSCRIPTION_LIMIT_REACHED');
    }
    const subscription: Subscription = {
      id: message.subscriptionId,
      stream,
      subscriber: connection,
      engineId: randomId(),
      subscribeToAudio: message.subscribeToAudio ?? true,
      subscribeToVideo: message.subscribeToVideo ?? true,
    };
    stream.subscriptions.set(subscription.id, subscription);
    this.#options.registry.mediaStarted(connection);
    mine.add(subscription);
    this.#subscriptionsOf.set(connection, mine);
    if (session.mediaMode === 'relayed') {
      this.messaging.ack(connection, message.id);
      this.messaging.send(stream.publisher, {
        type: 'subscriptionCreated',
        subscriptionId: subscription.id,
        streamId: stream.id,
        connectionId: connection.id,
        subscribeToAudio: subscription.subscribeToAudio,
        subscribeToVideo: subscription.subscribeToVideo,
      });
      return;
    }
    this.messaging.run(
      connection,
      message.id,
      async () => {
        const media = { audio: subscription.subscribeToAudio, video: subscription.subscribeToVideo };
        const offer = await this.engineCall(() => this.engine.subscribe(stream.engineId, subscription.engineId, media));
        if (!this.isCurrent(subscription)) {
          this.#engine?.unsubscribe(subscription.engineId);
          throw new VigilError('STREAM_NOT_FOUND');
        }
        this.messaging.ack(connection, message.id);
        this.messaging.send(connection, { type: 'sdp', streamId: stream.id, subscriptionId: subscription.id, sdpType: 'offer', sdp: offer });
      },
      () => this.endSubscription(subscription),
    );
  }

  unsubscribe(connection: Connection, message: UnsubscribeMessage): void {
    const remote = this.crossNode.find(connection, message.streamId, message.subscriptionId);
    if (remote) {
      this.messaging.ack(connection, message.id);
      this.crossNode.unsubscribe(this.session(connection), remote);
      return;
    }
    const subscription = this.ownSubscription(connection, message.streamId, message.subscriptionId);
    this.messaging.ack(connection, message.id);
    this.endSubscription(subscription);
  }

  /** Whether the connection publishes or receives anything (media ties it to this node). */
  hasMedia(connection: Connection): boolean {
    if ((this.#subscriptionsOf.get(connection)?.size ?? 0) > 0 || this.crossNode.count(connection) > 0) {
      return true;
    }
    const session = this.#options.registry.get(connection.sessionId);
    return [...(session?.streams.values() ?? [])].some((stream) => stream.publisher === connection);
  }

  /** A member is leaving: its streams end first with its reason, then its subscriptions. */
  connectionLeaving(session: Session, connection: Connection, reason: StreamDestroyedReason): void {
    for (const stream of [...session.streams.values()]) {
      if (stream.publisher === connection) {
        this.destroyStream(session, stream, reason);
      }
    }
    for (const subscription of [...(this.#subscriptionsOf.get(connection) ?? [])]) {
      this.endSubscription(subscription);
    }
    this.#subscriptionsOf.delete(connection);
    this.crossNode.connectionLeaving(connection);
  }

  destroyStream(session: Session, stream: ServerStream, reason: StreamDestroyedReason): void {
    if (session.streams.get(stream.id) !== stream) {
      return;
    }
    session.streams.delete(stream.id);
    for (const subscription of stream.subscriptions.values()) {
      this.#subscriptionsOf.get(subscription.subscriber)?.delete(subscription);
    }
    stream.subscriptions.clear();
    this.crossNode.streamEnded(stream);
    // Closes the publisher and every leg forwarding it.
    this.#engine?.unpublish(stream.engineId);
    if (stream.live) {
      this.messaging.broadcastStream(session, stream, { type: 'streamDestroyed', streamId: stream.id, reason });
    }
  }

  endSubscription(subscription: Subscription): void {
    const { stream } = subscription;
    this.#subscriptionsOf.get(subscription.subscriber)?.delete(subscription);
    if (stream.subscriptions.get(subscription.id) !== subscription) {
      return;
    }
    stream.subscriptions.delete(subscription.id);
    this.#engine?.unsubscribe(subscription.engineId);
    const session = this.#options.registry.get(stream.publisher.sessionId);
    if (session?.mediaMode === 'relayed') {
      this.messaging.send(stream.publisher, { type: 'subscriptionDestroyed', subscriptionId: subscription.id, streamId: stream.id });
    }
  }

  isCurrent(subscription: Subscription): boolean {
    return subscription.stream.subscriptions.get(subscription.id) === subscription && !subscription.subscriber.destroyedReason;
  }

  ownStream(session: Session, connection: Connection, streamId: string): ServerStream {
    const stream = session.streams.get(streamId);
    if (!stream || (!stream.live && stream.publisher !== connection)) {
      throw new VigilError('STREAM_NOT_FOUND');
    }
    if (stream.publisher !== connection) {
      throw new VigilError('NOT_PERMITTED', 'Only its publisher can change or unpublish a stream.');
    }
    return stream;
  }

  ownSubscription(connection: Connection, streamId: string, subscriptionId: string): Subscription {
    const subscription = this.session(connection).streams.get(streamId)?.subscriptions.get(subscriptionId);
    if (!subscription || subscription.subscriber !== connection) {
      throw new VigilError('SUBSCRIPTION_NOT_FOUND');
    }
    return subscription;
  }

  /** Runs an engine call; an engine failure is the client's description's fault as far as it is told. */
  async engineCall<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } catch (err) {
      if (isVigilError(err)) {
        throw err;
      }
      this.#options.log.warn('media engine refused a description', { error: String(err) });
      throw new VigilError('SDP_INVALID', 'The media server could not use this session description.');
    }
  }

  async close(): Promise<void> {
    await this.#engine?.close();
  }
}
