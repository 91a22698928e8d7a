import { VigilError, type DisconnectReason, type ServerMessage, type SubscribeMessage } from '@vigil/protocol';
import type { StreamRecord } from '../cluster/remote-streams.js';
import { parseRelayOp, type RelayOp } from '../cluster/relay-ops.js';
import { encodeMessage, type Connection } from '../connection.js';
import type { Logger } from '../logger.js';
import type { Session, SessionRegistry } from '../session-registry.js';
import type { ServerStream } from './server-stream.js';
import type { StreamMessaging } from './stream-messaging.js';

/** A subscriber's subscription, on its own node, to a stream published on another node. */
export interface RemoteSubscription {
  readonly id: string;
  readonly streamId: string;
  readonly publisherId: string;
  readonly subscriber: Connection;
  subscribeToAudio: boolean;
  subscribeToVideo: boolean;
}

/**
 * Relayed sessions whose members sit on different nodes (docs/scale-out.md). Media flows between the
 * two browsers; the nodes only carry negotiation. The subscriber's node keeps the subscription (for
 * its client's checks and limits) and the publisher's node keeps `subscriptionId → subscriberId` on
 * the stream (for its publisher's offers and candidates). Both learn of a departure from the presence
 * frame, so a node that dies cannot leave either side holding a subscription.
 */
export class CrossNodeStreams {
  readonly #registry: SessionRegistry;
  readonly #messaging: StreamMessaging;
  readonly #log: Logger;
  readonly #bySubscriber = new WeakMap<Connection, Map<string, RemoteSubscription>>();

  constructor(registry: SessionRegistry, messaging: StreamMessaging, log: Logger) {
    this.#registry = registry;
    this.#messaging = messaging;
    this.#log = log;
  }

  /** The remote stream a subscribe names, if its publisher is still a member held elsewhere. */
  liveRemote(session: Session, streamId: string): StreamRecord | undefined {
    const record = session.remoteStreams.get(streamId);
    return record && session.remote.has(record.info.connectionId) ? record : undefined;
  }

  count(connection: Connection): number {
    return this.#bySubscriber.get(connection)?.size ?? 0;
  }

  find(connection: Connection, streamId: string, subscriptionId: string): RemoteSubscription | undefined {
    return this.#bySubscriber.get(connection)?.get(key(streamId, subscriptionId));
  }

  /** Subscriber's node: records the subscription and asks the publisher's node to announce it. */
  subscribe(session: Session, connection: Connection, message: SubscribeMessage, publisherId: string, atLimit: () => boolean): void {
    const mine = this.#bySubscriber.get(connection) ?? new Map<string, RemoteSubscription>();
    if (mine.has(key(message.streamId, message.subscriptionId))) {
      throw new VigilError('SUBSCRIPTION_ALREADY_EXISTS');
    }
    if (atLimit()) {
      throw new VigilError('SUBSCRIPTION_LIMIT_REACHED');
    }
    const subscription: RemoteSubscription = {
      id: message.subscriptionId,
      streamId: message.streamId,
      publisherId,
      subscriber: connection,
      subscribeToAudio: message.subscribeToAudio ?? true,
      subscribeToVideo: message.subscribeToVideo ?? true,
    };
    mine.set(key(subscription.streamId, subscription.id), subscription);
    this.#bySubscriber.set(connection, mine);
    this.#messaging.ack(connection, message.id);
    this.#relay(session, publisherId, {
      op: 'subscribe',
      streamId: subscription.streamId,
      subscriptionId: subscription.id,
      subscriberId: connection.id,
      subscribeToAudio: subscription.subscribeToAudio,
      subscribeToVideo: subscription.subscribeToVideo,
    });
  }

  /** Subscriber's node: the client unsubscribed. */
  unsubscribe(session: Session, subscription: RemoteSubscription): void {
    if (this.#drop(subscription)) {
      this.#relay(session, subscription.publisherId, { op: 'unsubscribe', streamId: subscription.streamId, subscriptionId: subscription.id, subscriberId: subscription.subscriber.id });
    }
  }

  /** Subscriber's node: an answer, a candidate or `subscriptionChanged` for the publisher's client. */
  toPublisher(session: Session, subscription: RemoteSubscription, message: ServerMessage): void {
    this.#registry.sendToRemote(session, subscription.publisherId, encodeMessage(message), false);
  }

  /** Publisher's node: an offer, a candidate or `subscriberMedia` for a subscriber held elsewhere. */
  toSubscriber(session: Session, subscriberId: string, message: ServerMessage): void {
    this.#registry.sendToRemote(session, subscriberId, encodeMessage(message), false);
  }

  /** Publisher's node: a subscriber's node asks for something (`relay-ops.ts`). */
  relayed(session: Session, publisher: Connection, payload: string): void {
    const op = parseRelayOp(payload);
    const stream = op && session.streams.get(op.streamId);
    if (!op || !stream || stream.publisher !== publisher) {
      this.#log.debug('cluster: relay op ignored', { session: session.id, connection: publisher.id, known: op !== undefined });
      return; // the stream ended meanwhile: its subscriber is told so by the streamDestroyed
    }
    if (op.op === 'subscribe') {
      if (!stream.live || stream.remoteSubscribers.has(op.subscriptionId) || stream.subscriptions.has(op.subscriptionId) || !session.remote.has(op.subscriberId)) {
        return;
      }
      stream.remoteSubscribers.set(op.subscriptionId, op.subscriberId);
      this.#messaging.send(publisher, {
        type: 'subscriptionCreated',
        subscriptionId: op.subscriptionId,
        streamId: stream.id,
        connectionId: op.subscriberId,
        subscribeToAudio: op.subscribeToAudio,
        subscribeToVideo: op.subscribeToVideo,
      });
      return;
    }
    if (stream.remoteSubscribers.get(op.subscriptionId) === op.subscriberId) {
      stream.remoteSubscribers.delete(op.subscriptionId);
      this.#messaging.send(publisher, { type: 'subscriptionDestroyed', subscriptionId: op.subscriptionId, streamId: stream.id });
    }
  }

  /**
   * A member held elsewhere left. Publisher's side: its subscriptions to streams here end. Subscriber's
   * side: streams it published that its node never ended (the node died) end here, with its reason,
   * before members are told it left.
   */
  remoteLeft(session: Session, connectionId: string, reason: DisconnectReason): void {
    for (const stream of session.streams.values()) {
      for (const [subscriptionId, subscriberId] of stream.remoteSubscribers) {
        if (subscriberId === connectionId) {
          stream.remoteSubscribers.delete(subscriptionId);
          this.#messaging.send(stream.publisher, { type: 'subscriptionDestroyed', subscriptionId, streamId: stream.id });
        }
      }
    }
    const orphans = session.remoteStreams.ofPublisher(connectionId);
    for (const record of orphans) {
      session.remoteStreams.delete(record.info.id);
      this.#registry.broadcastLocal(session, encodeMessage({ type: 'streamDestroyed', streamId: record.info.id, reason }));
    }
    if (orphans.length > 0) {
      this.#registry.forgetRemoteStreams(session, orphans.map((record) => record.info.id));
      this.prune(session);
    }
  }

  /** Drops local subscriptions to remote streams that have ended (their subscribers got `streamDestroyed`). */
  prune(session: Session): void {
    for (const connection of session.connections.values()) {
      for (const subscription of this.#bySubscriber.get(connection)?.values() ?? []) {
        if (!this.liveRemote(session, subscription.streamId)) {
          this.#drop(subscription);
        }
      }
    }
  }

  /** A local subscriber left: the publisher's node learns it from the presence frame. */
  connectionLeaving(connection: Connection): void {
    this.#bySubscriber.delete(connection);
  }

  /** A local stream ended: its remote subscribers' nodes learn it from the `streamDestroyed`. */
  streamEnded(stream: ServerStream): void {
    stream.remoteSubscribers.clear();
  }

  #drop(subscription: RemoteSubscription): boolean {
    return this.#bySubscriber.get(subscription.subscriber)?.delete(key(subscription.streamId, subscription.id)) ?? false;
  }

  #relay(session: Session, publisherId: string, op: RelayOp): void {
    this.#registry.relayTo(session, publisherId, JSON.stringify(op));
  }
}

function key(streamId: string, subscriptionId: string): string {
  return `${streamId}\n${subscriptionId}`;
}
