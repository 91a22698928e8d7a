// Push wake-up (lifecycle.md rule 8): what the wire and the REST surface share about identities,
// push registrations and invites.

/**
 * The kinds of push credential a device registers. `apns` is an ordinary APNs device token (alert and
 * background pushes); `apns-voip` is a PushKit token, used only for call invites (iOS ends an app
 * that receives a VoIP push without reporting a call to CallKit); `fcm` is a Firebase registration
 * token; `webpush` is a browser's Push API subscription.
 */
export const PushKinds = ['apns', 'apns-voip', 'fcm', 'webpush'] as const;
export type PushKind = (typeof PushKinds)[number];

export function isPushKind(value: unknown): value is PushKind {
  return typeof value === 'string' && (PushKinds as readonly string[]).includes(value);
}

/**
 * An identity is an app-chosen user id: letters, digits and `. _ ~ @ : + = -`, so e-mail addresses
 * and most account ids fit as they are.
 */
export const IDENTITY_PATTERN = /^[A-Za-z0-9._~@:+=-]{1,128}$/;

/** Invite ids: picked by the SDK (so it knows the id before the reply) or by the server for REST. */
export const INVITE_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export const PushLimits = {
  /** Invite data travels inside the push; APNs VoIP payloads are capped at 5 120 bytes in all. */
  maxInviteDataBytes: 2048,
  minInviteTtlMs: 5_000,
  maxInviteTtlMs: 600_000,
  defaultInviteTtlMs: 60_000,
} as const;

/** A browser Push API subscription, as `PushSubscription.toJSON()` gives it. */
export interface WebPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  expirationTime?: number | null;
}
