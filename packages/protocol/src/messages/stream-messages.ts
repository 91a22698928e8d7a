import { Type, type Static } from '@sinclair/typebox';
import { MediaLimits } from '../streams.js';

// Client → server messages for audio and video: publishing streams, subscribing to them, and the
// offers, answers and ICE candidates of each peer connection. Closed objects, bounded strings, as in
// `client-messages.ts`. A peer connection is named by its stream and, between a publisher (or the
// server's forwarding unit) and one subscriber, by the subscription id; without a subscription id it
// is a routed publisher's own connection to the server.

const RequestId = Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 });
const EntityId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', maxLength: 64 });
const VideoType = Type.Union([Type.Literal('camera'), Type.Literal('screen'), Type.Literal('custom')]);
const Dimension = Type.Integer({ minimum: 1, maximum: MediaLimits.maxVideoDimension });
const VideoDimensions = Type.Object({ width: Dimension, height: Dimension }, { additionalProperties: false });
const LifecycleReason = Type.Union([Type.Literal('background'), Type.Literal('interrupted')]);

/**
 * Starts a stream. The SDK picks `streamId` (so it knows it before the reply); without one the server
 * picks it and the publisher learns it from its own `streamCreated`. Replies `ack`, then everyone,
 * publisher included, gets `streamCreated` (routed: once the publisher's offer has been answered).
 */
export const PublishMessage = Type.Object(
  {
    type: Type.Literal('publish'),
    id: RequestId,
    streamId: Type.Optional(EntityId),
    name: Type.String({ maxLength: MediaLimits.maxStreamNameLength }),
    videoType: VideoType,
    hasAudio: Type.Boolean(),
    hasVideo: Type.Boolean(),
    videoDimensions: Type.Optional(VideoDimensions),
  },
  { additionalProperties: false },
);
export type PublishMessage = Static<typeof PublishMessage>;

/** Ends one of your streams; everyone gets `streamDestroyed` with `reason` (default `unpublished`). */
export const UnpublishMessage = Type.Object(
  {
    type: Type.Literal('unpublish'),
    id: RequestId,
    streamId: EntityId,
    reason: Type.Optional(Type.Union([Type.Literal('unpublished'), Type.Literal('mediaStopped')])),
  },
  { additionalProperties: false },
);
export type UnpublishMessage = Static<typeof UnpublishMessage>;

/**
 * Changes what one of your streams carries. Each changed property is one `streamPropertyChanged`, with
 * the reason `publishAudio` / `publishVideo` / `videoDimensions`, or the lifecycle `reason` given.
 */
export const UpdateStreamMessage = Type.Object(
  {
    type: Type.Literal('updateStream'),
    id: RequestId,
    streamId: EntityId,
    hasAudio: Type.Optional(Type.Boolean()),
    hasVideo: Type.Optional(Type.Boolean()),
    videoDimensions: Type.Optional(VideoDimensions),
    reason: Type.Optional(LifecycleReason),
  },
  { additionalProperties: false },
);
export type UpdateStreamMessage = Static<typeof UpdateStreamMessage>;

/**
 * Subscribes to a stream under a subscription id the SDK picks. Replies `ack`; then the publisher
 * (relayed) or the server (routed) sends this subscriber an `sdp` offer to answer.
 */
export const SubscribeMessage = Type.Object(
  {
    type: Type.Literal('subscribe'),
    id: RequestId,
    subscriptionId: EntityId,
    streamId: EntityId,
    subscribeToAudio: Type.Optional(Type.Boolean()),
    subscribeToVideo: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type SubscribeMessage = Static<typeof SubscribeMessage>;

export const UnsubscribeMessage = Type.Object(
  { type: Type.Literal('unsubscribe'), id: RequestId, subscriptionId: EntityId, streamId: EntityId },
  { additionalProperties: false },
);
export type UnsubscribeMessage = Static<typeof UnsubscribeMessage>;

/** Turns this subscription's audio or video off or on (`subscribeToAudio` / `subscribeToVideo`). */
export const UpdateSubscriptionMessage = Type.Object(
  {
    type: Type.Literal('updateSubscription'),
    id: RequestId,
    subscriptionId: EntityId,
    streamId: EntityId,
    subscribeToAudio: Type.Optional(Type.Boolean()),
    subscribeToVideo: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UpdateSubscriptionMessage = Static<typeof UpdateSubscriptionMessage>;

/**
 * An offer or answer for one peer connection. The byte cap and the content checks come after the
 * schema, so an oversize or malformed description gets its own error code.
 */
export const SdpMessage = Type.Object(
  {
    type: Type.Literal('sdp'),
    id: RequestId,
    streamId: EntityId,
    subscriptionId: Type.Optional(EntityId),
    sdpType: Type.Union([Type.Literal('offer'), Type.Literal('answer')]),
    sdp: Type.String({ maxLength: MediaLimits.maxSdpBytes }),
  },
  { additionalProperties: false },
);
export type SdpMessage = Static<typeof SdpMessage>;

/**
 * One ICE candidate for one peer connection (trickle). Not a request: a candidate for a connection
 * that has just closed is dropped without a reply, since that race is normal.
 */
export const IceMessage = Type.Object(
  {
    type: Type.Literal('ice'),
    id: Type.Optional(RequestId),
    streamId: EntityId,
    subscriptionId: Type.Optional(EntityId),
    candidate: Type.Object(
      {
        candidate: Type.String({ maxLength: 1024 }),
        sdpMid: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
        sdpMLineIndex: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 255 }), Type.Null()])),
        usernameFragment: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type IceMessage = Static<typeof IceMessage>;

/** The media messages, keyed by `type`; `client-messages.ts` merges them into its table. */
export const StreamMessageSchemas = {
  publish: PublishMessage,
  unpublish: UnpublishMessage,
  updateStream: UpdateStreamMessage,
  subscribe: SubscribeMessage,
  unsubscribe: UnsubscribeMessage,
  updateSubscription: UpdateSubscriptionMessage,
  sdp: SdpMessage,
  ice: IceMessage,
} as const;
