import { Type, type Static } from '@sinclair/typebox';
import { StreamMessageSchemas } from './stream-messages.js';
import { PushMessageSchemas } from './push-messages.js';

// Client → server messages. Every object is closed (`additionalProperties: false`), every string and
// number bounded: a message that passes its schema is safe to act on.

const RequestId = Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 });
const EntityId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', maxLength: 64 });

const FrameCount = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/**
 * Application heartbeat. Any message proves liveness; this one exists for quiet clients. `rx` is the
 * number of frames the client has processed, which lets the server forget them (see `received`).
 */
export const PingMessage = Type.Object(
  { type: Type.Literal('ping'), t: Type.Optional(Type.Number()), rx: Type.Optional(FrameCount) },
  { additionalProperties: false },
);

/**
 * "I have processed `rx` frames from you on this connection." The server keeps every frame until it
 * is confirmed, and replays the rest after a resume. No reply.
 */
export const ReceivedMessage = Type.Object(
  { type: Type.Literal('received'), rx: FrameCount },
  { additionalProperties: false },
);
export type ReceivedMessage = Static<typeof ReceivedMessage>;

/**
 * The client announces its own lifecycle state (app in the background, audio interrupted by a call,
 * active again). Peers see `connectionStateChanged` at once; a silence after `background` is treated
 * as a suspension rather than a network failure.
 */
export const LifecycleMessage = Type.Object(
  {
    type: Type.Literal('lifecycle'),
    id: Type.Optional(RequestId),
    state: Type.Union([Type.Literal('active'), Type.Literal('background'), Type.Literal('interrupted')]),
    reason: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]*$' })),
  },
  { additionalProperties: false },
);
export type LifecycleMessage = Static<typeof LifecycleMessage>;
export type PingMessage = Static<typeof PingMessage>;

/**
 * A signal to everyone in the session (no `to`) or to one connection. Byte limits (type ≤ 128 B,
 * data ≤ 8 KB) are checked after the schema so they get their own error codes.
 */
export const SignalMessage = Type.Object(
  {
    type: Type.Literal('signal'),
    id: RequestId,
    to: Type.Optional(EntityId),
    signalType: Type.Optional(Type.String({ maxLength: 1024 })),
    data: Type.String({ maxLength: 65536 }),
  },
  { additionalProperties: false },
);
export type SignalMessage = Static<typeof SignalMessage>;

/** A moderator removes another connection from the session. */
export const ForceDisconnectMessage = Type.Object(
  { type: Type.Literal('forceDisconnect'), id: RequestId, connectionId: EntityId },
  { additionalProperties: false },
);
export type ForceDisconnectMessage = Static<typeof ForceDisconnectMessage>;

/** The client leaves for good; peers see `clientDisconnected`. */
export const DisconnectMessage = Type.Object(
  { type: Type.Literal('disconnect'), id: Type.Optional(RequestId) },
  { additionalProperties: false },
);
export type DisconnectMessage = Static<typeof DisconnectMessage>;

/** Every client message schema, keyed by `type`. Adding a message means adding it here. */
export const ClientMessageSchemas = {
  ping: PingMessage,
  received: ReceivedMessage,
  lifecycle: LifecycleMessage,
  signal: SignalMessage,
  forceDisconnect: ForceDisconnectMessage,
  disconnect: DisconnectMessage,
  // Audio and video (stream-messages.ts).
  ...StreamMessageSchemas,
  // Push wake-up: registrations, identity signals, invites (push-messages.ts).
  ...PushMessageSchemas,
} as const;

export type ClientMessageType = keyof typeof ClientMessageSchemas;
export type ClientMessage = { [K in ClientMessageType]: Static<(typeof ClientMessageSchemas)[K]> }[ClientMessageType];
