import {
  IDENTITY_PATTERN,
  INVITE_ID_PATTERN,
  PushLimits,
  VigilError,
  isPushKind,
  randomId,
  utf8Length,
  type InviteMessage,
  type PushKind,
  type WebPushSubscription,
} from '@vigil/protocol';
import type { Connection } from './connection.js';
import type { Emitter } from './emitter.js';
import type { SessionEvents } from './session-events.js';
import { checkSignalOptions } from './signal-options.js';

/** What `session.registerPush()` takes. */
export interface PushRegistrationOptions {
  /** Your app's user id. Optional when the client token's data names one (`identity=…`). */
  identity?: string;
  /** `apns` (alert/background), `apns-voip` (PushKit, call invites only), `fcm` or `webpush`. */
  kind: PushKind;
  /** APNs device token (hex) or FCM registration token. */
  token?: string;
  /** For `webpush`: the browser's `PushSubscription` (or its `toJSON()`). */
  subscription?: WebPushSubscription | { toJSON(): unknown };
  /** APNs topic (bundle id), when not the server's default. */
  topic?: string;
}

/** An invite you received (`session.on('invite', …)`). */
export interface InviteEvent {
  inviteId: string;
  sessionId: string;
  /** The inviter, when it is a connection you know; `null` for the app server or one that left. */
  from: Connection | null;
  fromIdentity?: string;
  data: string;
  /** Milliseconds since the epoch: stop ringing then. */
  expiresAt: number;
}

type Request = (body: Record<string, unknown>, queueWhileAway: boolean) => Promise<void>;

/**
 * The push side of a session (docs/push.md): registering this device for an identity, signalling an
 * identity, inviting one. Registrations are remembered and sent again when the SDK rejoins after the
 * grace, so the new connection has the identity and receives what was held for it.
 */
export class PushClient {
  readonly #request: Request;
  readonly #registrations = new Map<string, Record<string, unknown>>();

  constructor(session: Emitter<SessionEvents>, request: Request) {
    this.#request = request;
    const resend = (): void => {
      for (const body of this.#registrations.values()) {
        this.#request(body, true).catch(() => {
          // The next rejoin tries again; the app may also call registerPush itself.
        });
      }
    };
    session.on('sessionReconnected', ({ rejoined }) => rejoined && resend());
    session.on('sessionConnected', resend);
  }

  async registerPush(options: PushRegistrationOptions): Promise<void> {
    const body = registrationMessage(options);
    await this.#request(body, true);
    this.#registrations.set(`${String(body['kind'])}\0${String(body['token'] ?? (body['subscription'] as WebPushSubscription | undefined)?.endpoint)}`, body);
  }

  async signalIdentity(identity: string, options: { type?: string; data?: string } = {}): Promise<void> {
    checkIdentity(identity);
    const { signalType, data } = checkSignalOptions(options);
    await this.#request({ type: 'signalIdentity', identity, signalType, data }, true);
  }

  async invite(identity: string, data = '', options: { ttlMs?: number } = {}): Promise<string> {
    checkIdentity(identity);
    if (typeof data !== 'string') {
      throw new TypeError('invite(identity, data): data must be a string');
    }
    if (utf8Length(data) > PushLimits.maxInviteDataBytes) {
      throw new VigilError('INVITE_DATA_TOO_LONG');
    }
    const inviteId = randomId(22);
    const body: Record<string, unknown> = { type: 'invite', inviteId, identity, data };
    if (options.ttlMs !== undefined) {
      body['ttlMs'] = options.ttlMs;
    }
    await this.#request(body, true);
    return inviteId;
  }

  async cancelInvite(inviteId: string): Promise<void> {
    if (typeof inviteId !== 'string' || !INVITE_ID_PATTERN.test(inviteId)) {
      throw new TypeError('cancelInvite(inviteId): inviteId is the string invite() resolved with');
    }
    await this.#request({ type: 'cancelInvite', inviteId }, true);
  }
}

/** The event for an `invite` message; the inviter is looked up among the connections you know. */
export function inviteEvent(message: InviteMessage, connections: ReadonlyMap<string, Connection>): InviteEvent {
  const event: InviteEvent = {
    inviteId: message.inviteId,
    sessionId: message.sessionId,
    from: message.from === null ? null : (connections.get(message.from) ?? null),
    data: message.data,
    expiresAt: message.expiresAt,
  };
  if (message.fromIdentity !== undefined) {
    event.fromIdentity = message.fromIdentity;
  }
  return event;
}

function checkIdentity(identity: unknown): void {
  if (typeof identity !== 'string' || !IDENTITY_PATTERN.test(identity)) {
    throw new TypeError('identity must be 1-128 characters of letters, digits and . _ ~ @ : + = -');
  }
}

function registrationMessage(options: PushRegistrationOptions): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || !isPushKind(options.kind)) {
    throw new TypeError('registerPush({ identity, kind, token | subscription }): kind must be apns, apns-voip, fcm or webpush');
  }
  const body: Record<string, unknown> = { type: 'registerPush', kind: options.kind };
  if (options.identity !== undefined) {
    checkIdentity(options.identity);
    body['identity'] = options.identity;
  }
  if (options.kind === 'webpush') {
    const raw = options.subscription;
    const subscription = (raw && 'toJSON' in raw && typeof raw.toJSON === 'function' ? raw.toJSON() : raw) as WebPushSubscription | undefined;
    if (typeof subscription?.endpoint !== 'string' || typeof subscription.keys?.p256dh !== 'string' || typeof subscription.keys.auth !== 'string') {
      throw new TypeError('registerPush: a webpush registration needs the PushSubscription (endpoint and keys)');
    }
    body['subscription'] = { endpoint: subscription.endpoint, keys: { p256dh: subscription.keys.p256dh, auth: subscription.keys.auth } };
  } else {
    if (typeof options.token !== 'string' || options.token === '') {
      throw new TypeError(`registerPush: a ${options.kind} registration needs its token`);
    }
    body['token'] = options.token;
  }
  if (options.topic !== undefined) {
    body['topic'] = options.topic;
  }
  return body;
}
