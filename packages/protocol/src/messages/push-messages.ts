import { Type, type Static } from '@sinclair/typebox';

// Client → server messages for push wake-up (lifecycle.md rule 8): registering this device's push
// credentials for an identity, signalling an identity, and call invites. Closed objects, bounded
// strings, as in `client-messages.ts`.

const RequestId = Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 });
const Identity = Type.String({ pattern: '^[A-Za-z0-9._~@:+=-]{1,128}$', maxLength: 128 });
const InviteId = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$', maxLength: 64 });
const PushKind = Type.Union([Type.Literal('apns'), Type.Literal('apns-voip'), Type.Literal('fcm'), Type.Literal('webpush')]);

/** `PushSubscription.toJSON()` of a browser. */
export const WebPushSubscriptionSchema = Type.Object(
  {
    endpoint: Type.String({ minLength: 1, maxLength: 2048 }),
    keys: Type.Object({ p256dh: Type.String({ maxLength: 128 }), auth: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
    expirationTime: Type.Optional(Type.Union([Type.Null(), Type.Number()])),
  },
  { additionalProperties: false },
);

/**
 * Registers this device's push credentials for an identity (`token` for APNs and FCM, `subscription`
 * for Web Push); `topic` overrides the server's APNs topic (the app's bundle id). The connection takes
 * the identity too; when the client's token names one, they must agree. Replies `ack`.
 */
export const RegisterPushMessage = Type.Object(
  {
    type: Type.Literal('registerPush'),
    id: RequestId,
    identity: Type.Optional(Identity),
    kind: PushKind,
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    subscription: Type.Optional(WebPushSubscriptionSchema),
    topic: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9.-]{1,155}$', maxLength: 155 })),
  },
  { additionalProperties: false },
);
export type RegisterPushMessage = Static<typeof RegisterPushMessage>;

/**
 * A signal to every connection of an identity in this session. When none of them is live, the
 * identity's devices get a push and the signal waits (bounded) until the identity joins again.
 */
export const SignalIdentityMessage = Type.Object(
  {
    type: Type.Literal('signalIdentity'),
    id: RequestId,
    identity: Identity,
    signalType: Type.Optional(Type.String({ maxLength: 1024 })),
    data: Type.String({ maxLength: 65536 }),
  },
  { additionalProperties: false },
);
export type SignalIdentityMessage = Static<typeof SignalIdentityMessage>;

/** Invites an identity into this session (a call): a VoIP push when it cannot be reached live. */
export const CreateInviteMessage = Type.Object(
  {
    type: Type.Literal('invite'),
    id: RequestId,
    inviteId: InviteId,
    identity: Identity,
    data: Type.Optional(Type.String({ maxLength: 16384 })),
    ttlMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400_000 })),
  },
  { additionalProperties: false },
);
export type CreateInviteMessage = Static<typeof CreateInviteMessage>;

/** Withdraws an invite: over the live connection or a normal push, never a VoIP push. */
export const CancelInviteMessage = Type.Object(
  { type: Type.Literal('cancelInvite'), id: RequestId, inviteId: InviteId },
  { additionalProperties: false },
);
export type CancelInviteMessage = Static<typeof CancelInviteMessage>;

export const PushMessageSchemas = {
  registerPush: RegisterPushMessage,
  signalIdentity: SignalIdentityMessage,
  invite: CreateInviteMessage,
  cancelInvite: CancelInviteMessage,
} as const;

export type PushClientMessage = { [K in keyof typeof PushMessageSchemas]: Static<(typeof PushMessageSchemas)[K]> }[keyof typeof PushMessageSchemas];
