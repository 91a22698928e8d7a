import type { PushKind, WebPushSubscription } from '@vigil/protocol';

/** One device's push credentials for an identity. */
export interface PushRegistration {
  /** Derived from the credential itself, so the same device token registered twice is one entry. */
  id: string;
  apiKey: string;
  identity: string;
  kind: PushKind;
  /** APNs device token (hex) or FCM registration token. */
  token?: string;
  /** Web Push subscription. */
  subscription?: WebPushSubscription;
  /** APNs topic (bundle id) for this device, when it is not the server's default. */
  topic?: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/**
 * What a push says. Signal data never travels in a push (providers see push payloads); the woken app
 * rejoins and receives the signal itself. Invite data does travel, since the ringing screen needs it.
 */
export type PushNotice =
  | {
      type: 'invite';
      sessionId: string;
      inviteId: string;
      from: string | null;
      fromIdentity?: string;
      data: string;
      /** Milliseconds since the epoch. */
      expiresAt: number;
    }
  | { type: 'inviteCancelled'; sessionId: string; inviteId: string; expiresAt: number }
  | { type: 'signal'; sessionId: string; identity: string; signalType: string; from: string | null; expiresAt: number };

/** Which kind of push a notice becomes at the provider. */
export type PushStyle = 'voip' | 'alert' | 'background';

/** A title and body shown by the OS for alert pushes. */
export interface AlertText {
  title: string;
  body: string;
}

/** What one provider request achieved. */
export type PushResult =
  | { ok: true }
  | {
      ok: false;
      /** The credential is dead (unregistered, malformed): forget the registration. */
      remove: boolean;
      /** Worth trying again later (429, 5xx, a dropped connection). */
      retryable: boolean;
      /** The provider asked for this pause (Retry-After). */
      retryAfterMs?: number;
      /** The provider's reason, for the log. */
      reason: string;
    };

/** One push service (APNs, FCM, Web Push): turns a notice into one request for one registration. */
export interface PushProvider {
  send(registration: PushRegistration, notice: PushNotice, style: PushStyle): Promise<PushResult>;
  close(): Promise<void>;
}

export function failure(reason: string, options: { remove?: boolean; retryable?: boolean; retryAfterMs?: number | undefined } = {}): PushResult {
  const result: PushResult = { ok: false, remove: options.remove ?? false, retryable: options.retryable ?? false, reason };
  if (options.retryAfterMs !== undefined) {
    result.retryAfterMs = options.retryAfterMs;
  }
  return result;
}
