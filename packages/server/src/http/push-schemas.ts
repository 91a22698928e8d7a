import { Type, type Static } from '@sinclair/typebox';
import { PushLimits, SignalLimits } from '@vigil/protocol';
import { ErrorBody } from './rest-schemas.js';
import type { RouteDoc } from './route-doc.js';

// Bodies, answers and OpenAPI docs of the push routes (push-routes.ts, docs/push.md).

const Identity = Type.String({ pattern: '^[A-Za-z0-9._~@:+=-]{1,128}$', maxLength: 128, description: 'An app-chosen user id.' });
const Kind = Type.Union([Type.Literal('apns'), Type.Literal('apns-voip'), Type.Literal('fcm'), Type.Literal('webpush')]);

export const PushRegistrationBody = Type.Object(
  {
    identity: Identity,
    kind: Kind,
    token: Type.Optional(Type.String({ maxLength: 4096, description: 'APNs device token (hex) or FCM registration token.' })),
    subscription: Type.Optional(
      Type.Object(
        {
          endpoint: Type.String({ maxLength: 2048 }),
          keys: Type.Object({ p256dh: Type.String({ maxLength: 128 }), auth: Type.String({ maxLength: 64 }) }),
          expirationTime: Type.Optional(Type.Union([Type.Null(), Type.Number()])),
        },
        { description: 'A browser `PushSubscription.toJSON()`, for kind webpush.' },
      ),
    ),
    topic: Type.Optional(Type.String({ maxLength: 150, description: 'APNs topic (bundle id) when not the server default.' })),
  },
  { title: 'PushRegistrationRequest', additionalProperties: false },
);
export type PushRegistrationBody = Static<typeof PushRegistrationBody>;

export const PushRegistrationView = Type.Object(
  {
    id: Type.String(),
    identity: Identity,
    kind: Kind,
    createdAt: Type.Integer({ description: 'Milliseconds since the epoch.' }),
    token: Type.Optional(Type.String()),
    endpoint: Type.Optional(Type.String({ description: 'Web Push endpoint (the keys are never listed).' })),
    topic: Type.Optional(Type.String()),
  },
  { title: 'PushRegistration', additionalProperties: false },
);

export const PushRegistrationList = Type.Object({ count: Type.Integer(), items: Type.Array(PushRegistrationView) }, { title: 'PushRegistrationList', additionalProperties: false });

export const IdentitySignalBody = Type.Object(
  {
    identity: Identity,
    type: Type.Optional(Type.String({ maxLength: SignalLimits.maxTypeBytes, pattern: '^[A-Za-z0-9_~-]*$' })),
    data: Type.String({ maxLength: SignalLimits.maxDataBytes }),
  },
  { title: 'IdentitySignalRequest', additionalProperties: false },
);
export type IdentitySignalBody = Static<typeof IdentitySignalBody>;

export const InviteBody = Type.Object(
  {
    identity: Identity,
    data: Type.Optional(Type.String({ maxLength: PushLimits.maxInviteDataBytes, description: 'Shown by the ringing screen; travels inside the push.' })),
    ttlMs: Type.Optional(Type.Integer({ minimum: PushLimits.minInviteTtlMs, maximum: PushLimits.maxInviteTtlMs })),
  },
  { title: 'InviteRequest', additionalProperties: false },
);
export type InviteBody = Static<typeof InviteBody>;

const DeliveryFields = {
  live: Type.Integer({ description: 'Live connections of the identity that got it at once.' }),
  away: Type.Integer({ description: 'Suspended or reconnecting connections: delivered on resume.' }),
  held: Type.Boolean({ description: 'No connection in the session: kept for its next join.' }),
  pushed: Type.Integer({ description: 'Pushes started to the identity’s devices.' }),
};

export const DeliveryReportView = Type.Object(DeliveryFields, { title: 'DeliveryReport', additionalProperties: false });

export const InviteView = Type.Object(
  { id: Type.String(), sessionId: Type.String(), identity: Identity, expiresAt: Type.Integer(), ...DeliveryFields },
  { title: 'Invite', additionalProperties: false },
);

const authErrors = {
  400: { description: 'Malformed body or ids (`REQUEST_INVALID`, `PUSH_REGISTRATION_INVALID`, `SESSION_ID_INVALID`).', schema: ErrorBody },
  403: { description: 'The credential is missing, invalid, or not for this API key (`AUTH_FAILED`).', schema: ErrorBody },
} as const;

function doc(operationId: string, summary: string, description: string, responses: RouteDoc['responses'], body?: RouteDoc['body']): RouteDoc {
  const result: RouteDoc = { operationId, summary, description, tags: ['Push'], auth: 'project', responses: { ...authErrors, ...responses } };
  if (body) {
    result.body = body;
  }
  return result;
}

export const PushDocs = {
  register: doc(
    'registerPush',
    'Register a device for push wake-up',
    'Stores push credentials for an identity. Registering the same token again (for any identity) replaces the entry.',
    { 200: { description: 'Registered.', schema: PushRegistrationView }, 501: { description: 'No credentials for that service (`PUSH_NOT_CONFIGURED`).', schema: ErrorBody } },
    { schema: PushRegistrationBody, required: true },
  ),
  list: doc('listPushRegistrations', 'List the devices of an identity', 'Query `?identity=`. Web Push keys are not listed.', {
    200: { description: 'The registrations, oldest first.', schema: PushRegistrationList },
  }),
  removeAll: doc('removePushRegistrations', 'Forget every device of an identity', 'Query `?identity=` (the user signed out).', { 204: { description: 'Removed.' } }),
  remove: doc('removePushRegistration', 'Forget one device', 'By registration id.', {
    204: { description: 'Removed.' },
    404: { description: '`PUSH_REGISTRATION_NOT_FOUND`.', schema: ErrorBody },
  }),
  signal: doc(
    'signalIdentity',
    'Signal an identity in a session',
    'Delivered to every connection of the identity in the session. When none is live, its devices get a push; when it has no connection there, the signal waits for its next join.',
    { 200: { description: 'Where it went.', schema: DeliveryReportView }, 404: { description: '`IDENTITY_NOT_FOUND`.', schema: ErrorBody } },
    { schema: IdentitySignalBody, required: true },
  ),
  invite: doc(
    'inviteIdentity',
    'Invite an identity into a session (a call)',
    'Delivered live when the identity is connected in the session; otherwise a VoIP push to its PushKit devices (an alert push elsewhere), and held for its join.',
    { 200: { description: 'The invite and where it went.', schema: InviteView }, 404: { description: '`IDENTITY_NOT_FOUND`.', schema: ErrorBody } },
    { schema: InviteBody, required: true },
  ),
  cancelInvite: doc('cancelInvite', 'Cancel an invite', 'Over the live connection or a normal push, never a VoIP push.', {
    204: { description: 'Cancelled.' },
    404: { description: '`INVITE_NOT_FOUND`.', schema: ErrorBody },
  }),
} as const;
