import type { HeldLimits, HeldMessageStore } from './held-store.js';
import type { PushRegistrationStore } from './registration-store.js';
import type { RetryPolicy } from './retry.js';
import type { AlertText } from './types.js';

/** APNs with provider-token authentication (a `.p8` key from the Apple developer account). */
export interface ApnsOptions {
  /** Path of the `.p8` key (PKCS#8, P-256). */
  keyFile?: string;
  /** Or the key itself, PEM. */
  key?: string;
  /** The key's 10-character id. */
  keyId: string;
  /** The 10-character team id (the JWT's `iss`). */
  teamId: string;
  /** The app's bundle id: `apns-topic` of alert pushes; VoIP pushes use `<topic>.voip`. */
  topic: string;
  /**
   * Default `https://api.push.apple.com`; `https://api.sandbox.push.apple.com` for development
   * builds. `http://` speaks HTTP/2 without TLS (h2c), for local test servers only.
   */
  url?: string;
  /** Extra trusted CA (PEM), for a local TLS test server. */
  ca?: string;
}

/** A Google service account key file (the parts Vigil uses). */
export interface FcmServiceAccount {
  project_id: string;
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
}

/** Firebase Cloud Messaging HTTP v1 with a service account. */
export interface FcmOptions {
  /** Path of the service account JSON key. */
  serviceAccountFile?: string;
  /** Or the key itself, as an object or JSON text. */
  serviceAccount?: FcmServiceAccount | string;
  /** Default `https://fcm.googleapis.com`. */
  url?: string;
  /** OAuth 2 token endpoint; default the key's `token_uri`, else `https://oauth2.googleapis.com/token`. */
  tokenUrl?: string;
  ca?: string;
}

/** Web Push with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291). */
export interface WebPushOptions {
  /** Uncompressed P-256 public key, base64url (65 bytes; what the page passes as `applicationServerKey`). */
  vapidPublicKey: string;
  /** The matching private key, base64url (32 bytes). */
  vapidPrivateKey: string;
  /** `mailto:` or `https:` contact for the push services. */
  subject: string;
  /**
   * Push services subscriptions may point at, as origins with an optional leading `*.` in the host
   * and `*` as port. The server POSTs to these URLs, so anything else is refused at registration.
   * Default: the Chrome, Firefox, Safari and Edge push services.
   */
  endpointOrigins?: string[];
  ca?: string;
}

/** Push wake-up (lifecycle.md rule 8); see docs/push.md. Every part is optional. */
export interface PushOptions {
  apns?: ApnsOptions;
  fcm?: FcmOptions;
  webPush?: WebPushOptions;
  /** Where registrations live; default in memory. */
  store?: PushRegistrationStore;
  /** Where messages for identities without a connection wait; default in memory. */
  heldStore?: HeldMessageStore;
  /** Held messages: age (default 600 000 ms) and byte caps. */
  hold?: HeldLimits & { ttlMs?: number };
  /** How long an invite rings by default (5 000–600 000 ms). Default 60 000. */
  inviteTtlMs?: number;
  /** At most one signal push per identity and session in this window (collapse ids do the rest). Default 5 000 ms. */
  signalPushIntervalMs?: number;
  /** Signals wake with a visible `alert` (default) or a silent `background` push. */
  signalPush?: 'alert' | 'background';
  /** Texts of alert pushes (the server does not know the user's language: set your own). */
  alerts?: { signal?: AlertText; invite?: AlertText; inviteCancelled?: AlertText };
  /** Refuse identities a client claims unless its token names the same one. Default false. */
  requireTokenIdentity?: boolean;
  /** Retries of 429/5xx answers. Default 5 attempts, 1 s doubling up to 60 s. */
  retry?: Partial<RetryPolicy>;
  /** Per provider request. Default 10 000 ms. */
  requestTimeoutMs?: number;
}
