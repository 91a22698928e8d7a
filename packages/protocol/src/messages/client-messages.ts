import { Type, type Static } from '@sinclair/typebox';

// Client → server messages. Every object is closed (`additionalProperties: false`), every string and
// number bounded: a message that passes its schema is safe to act on.

const RequestId = Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 });
const EntityId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', maxLength: 64 });

/** Application heartbeat. Any message proves liveness; this one exists for quiet clients. */
export const PingMessage = Type.Object(
  { type: Type.Literal('ping'), t: Type.Optional(Type.Number()) },
  { additionalProperties: false },
);
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
  signal: SignalMessage,
  forceDisconnect: ForceDisconnectMessage,
  disconnect: DisconnectMessage,
} as const;

export type ClientMessageType = keyof typeof ClientMessageSchemas;
export type ClientMessage = { [K in ClientMessageType]: Static<(typeof ClientMessageSchemas)[K]> }[ClientMessageType];
