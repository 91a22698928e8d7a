import type {
  StreamProperty,
  StreamPropertyReason,
  StreamPropertyValue,
  SubscriberMediaReason,
  UpdateStreamMessage,
  UpdateSubscriptionMessage,
} from '@vigil/protocol';
import type { Connection } from '../connection.js';
import type { Session } from '../session-registry.js';
import type { ServerStream } from './server-stream.js';
import type { StreamService } from './stream-service.js';

/**
 * A publisher changes what its stream carries. Everyone gets one `streamPropertyChanged` per changed
 * property; each subscriber also gets `subscriberMedia` (its `audioDisabled`/`videoEnabled`… event),
 * with the reason `publishAudio`/`publishVideo` or the lifecycle reason given.
 */
export function updateStream(service: StreamService, connection: Connection, message: UpdateStreamMessage): void {
  const session = service.session(connection);
  const stream = service.ownStream(session, connection, message.streamId);
  service.messaging.ack(connection, message.id);
  for (const kind of ['audio', 'video'] as const) {
    const value = message[kind === 'audio' ? 'hasAudio' : 'hasVideo'];
    if (value !== undefined) {
      setStreamMedia(service, session, stream, kind, value, message.reason ?? (kind === 'audio' ? 'publishAudio' : 'publishVideo'));
    }
  }
  const dimensions = message.videoDimensions;
  const old = stream.videoDimensions;
  if (dimensions && (old?.width !== dimensions.width || old.height !== dimensions.height)) {
    stream.videoDimensions = { ...dimensions };
    announceProperty(service, session, stream, 'videoDimensions', old ?? null, { ...dimensions }, 'videoDimensions');
  }
}

/**
 * Turns a stream's audio or video flag to `value` (no-op when it already is): everyone gets
 * `streamPropertyChanged`, each subscriber `subscriberMedia`, both with `reason`. Shared by the
 * publisher's own `updateStream` and the app server's force mute (`force-mute.ts`).
 */
export function setStreamMedia(
  service: StreamService,
  session: Session,
  stream: ServerStream,
  kind: 'audio' | 'video',
  value: boolean,
  reason: StreamPropertyReason & SubscriberMediaReason,
): void {
  const property = kind === 'audio' ? 'hasAudio' : 'hasVideo';
  if (value === stream[property]) {
    return;
  }
  stream[property] = value;
  announceProperty(service, session, stream, property, !value, value, reason);
  for (const subscription of stream.subscriptions.values()) {
    service.messaging.send(subscription.subscriber, { type: 'subscriberMedia', subscriptionId: subscription.id, streamId: stream.id, kind, enabled: value, reason });
  }
  for (const [subscriptionId, subscriberId] of stream.remoteSubscribers) {
    service.crossNode.toSubscriber(session, subscriberId, { type: 'subscriberMedia', subscriptionId, streamId: stream.id, kind, enabled: value, reason });
  }
  if (kind === 'video' && value && session.mediaMode === 'routed' && stream.negotiated) {
    // The publisher's encoder restarts; make sure subscribers get a key frame right away.
    service.startedEngine?.requestKeyFrame(stream.engineId);
  }
}

/**
 * A subscriber turns its audio or video off or on. It alone gets `subscriberMedia` (reason
 * `subscribeToAudio`/`subscribeToVideo`); relayed, the publisher is told to stop or resume sending on
 * that connection; routed, the engine stops or resumes forwarding to that leg.
 */
export function updateSubscription(service: StreamService, connection: Connection, message: UpdateSubscriptionMessage): void {
  const session = service.session(connection);
  // A stream published on another node (relayed, docs/scale-out.md): same rules, the publisher told through its node.
  const remote = service.crossNode.find(connection, message.streamId, message.subscriptionId);
  const subscription = remote ?? service.ownSubscription(connection, message.streamId, message.subscriptionId);
  service.messaging.ack(connection, message.id);
  let changed = false;
  for (const kind of ['audio', 'video'] as const) {
    const property = kind === 'audio' ? 'subscribeToAudio' : 'subscribeToVideo';
    const value = message[property];
    if (value === undefined || value === subscription[property]) {
      continue;
    }
    subscription[property] = value;
    changed = true;
    service.messaging.send(connection, { type: 'subscriberMedia', subscriptionId: subscription.id, streamId: message.streamId, kind, enabled: value, reason: property });
    if (session.mediaMode === 'routed' && 'engineId' in subscription) {
      service.startedEngine?.setSubscriberMedia(subscription.engineId, kind, value);
    }
  }
  if (!changed || session.mediaMode !== 'relayed') {
    return;
  }
  const notice = {
    type: 'subscriptionChanged',
    subscriptionId: subscription.id,
    streamId: message.streamId,
    subscribeToAudio: subscription.subscribeToAudio,
    subscribeToVideo: subscription.subscribeToVideo,
  } as const;
  if (remote) {
    service.crossNode.toPublisher(session, remote, notice);
  } else if ('stream' in subscription) {
    service.messaging.send(subscription.stream.publisher, notice);
  }
}

/** Tells everyone (the publisher included) that a live stream's property changed; nothing for a stream not yet announced. */
export function announceProperty(
  service: StreamService,
  session: Session,
  stream: ServerStream,
  changedProperty: StreamProperty,
  oldValue: StreamPropertyValue,
  newValue: StreamPropertyValue,
  reason: StreamPropertyReason,
): void {
  if (stream.live) {
    service.messaging.broadcastStream(session, stream, { type: 'streamPropertyChanged', streamId: stream.id, changedProperty, oldValue, newValue, reason });
  }
}
