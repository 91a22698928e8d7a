import { ECDH, createHash } from 'node:crypto';
import { IDENTITY_PATTERN, VigilError, isPushKind, type PushKind, type WebPushSubscription } from '@vigil/protocol';
import { endpointAllowed } from './resolve-config.js';
import type { PushRegistration } from './types.js';

/** A registration as a client or the app server sends it (fields not yet checked). */
export interface RegistrationInput {
  identity?: unknown;
  kind?: unknown;
  token?: unknown;
  subscription?: unknown;
  topic?: unknown;
}

export function checkIdentity(value: unknown): string {
  if (typeof value !== 'string' || !IDENTITY_PATTERN.test(value)) {
    throw new VigilError('REQUEST_INVALID', 'identity must be 1-128 characters of letters, digits and . _ ~ @ : + = -');
  }
  return value;
}

/**
 * Checks a registration and gives it its id (a digest of the credential, so registering the same
 * device twice, or for another identity, replaces the earlier entry). `configured(kind)` says whether
 * the server can send that kind; `webPushOrigins` lists the push services subscriptions may use.
 */
export function checkRegistration(
  input: RegistrationInput,
  apiKey: string,
  nowMs: number,
  options: { configured: (kind: PushKind) => boolean; webPushOrigins: readonly string[] },
): PushRegistration {
  const identity = checkIdentity(input.identity);
  const kind = input.kind;
  if (!isPushKind(kind)) {
    throw new VigilError('PUSH_REGISTRATION_INVALID', 'kind must be apns, apns-voip, fcm or webpush.');
  }
  if (!options.configured(kind)) {
    throw new VigilError('PUSH_NOT_CONFIGURED', `This server has no credentials for ${kind} pushes.`);
  }
  const base = { apiKey, identity, kind, createdAt: nowMs };
  if (kind === 'webpush') {
    if (input.token !== undefined || input.topic !== undefined) {
      throw new VigilError('PUSH_REGISTRATION_INVALID', 'A webpush registration takes a subscription, not a token or topic.');
    }
    const subscription = checkSubscription(input.subscription, options.webPushOrigins);
    return { id: registrationId(apiKey, kind, subscription.endpoint), ...base, subscription };
  }
  if (input.subscription !== undefined) {
    throw new VigilError('PUSH_REGISTRATION_INVALID', `A ${kind} registration takes a token, not a subscription.`);
  }
  const token = input.token;
  if (kind === 'fcm') {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_:.-]{20,4096}$/.test(token)) {
      throw new VigilError('PUSH_REGISTRATION_INVALID', 'token must be an FCM registration token.');
    }
    if (input.topic !== undefined) {
      throw new VigilError('PUSH_REGISTRATION_INVALID', 'topic is for APNs registrations only.');
    }
    return { id: registrationId(apiKey, kind, token), ...base, token };
  }
  if (typeof token !== 'string' || !/^(?:[0-9a-fA-F]{2}){32,100}$/.test(token)) {
    throw new VigilError('PUSH_REGISTRATION_INVALID', 'token must be an APNs device token (hex, at least 64 digits).');
  }
  const registration: PushRegistration = { id: registrationId(apiKey, kind, token.toLowerCase()), ...base, token: token.toLowerCase() };
  if (input.topic !== undefined) {
    if (typeof input.topic !== 'string' || !/^[A-Za-z0-9.-]{1,150}$/.test(input.topic) || input.topic.endsWith('.voip')) {
      throw new VigilError('PUSH_REGISTRATION_INVALID', 'topic must be a bundle id (without ".voip").');
    }
    registration.topic = input.topic;
  }
  return registration;
}

function checkSubscription(value: unknown, origins: readonly string[]): WebPushSubscription {
  const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const keys = typeof record['keys'] === 'object' && record['keys'] !== null ? (record['keys'] as Record<string, unknown>) : {};
  const endpoint = record['endpoint'];
  if (typeof endpoint !== 'string' || endpoint.length > 2048 || !endpointAllowed(endpoint, origins)) {
    throw new VigilError('PUSH_REGISTRATION_INVALID', 'subscription.endpoint must be the URL of an allowed push service.');
  }
  const p256dh = decode(keys['p256dh']);
  if (p256dh?.length !== 65 || p256dh[0] !== 4 || !onCurve(p256dh)) {
    throw new VigilError('PUSH_REGISTRATION_INVALID', 'subscription.keys.p256dh must be an uncompressed P-256 public key (base64url).');
  }
  const auth = decode(keys['auth']);
  if (auth?.length !== 16) {
    throw new VigilError('PUSH_REGISTRATION_INVALID', 'subscription.keys.auth must be 16 bytes (base64url).');
  }
  return { endpoint, keys: { p256dh: p256dh.toString('base64url'), auth: auth.toString('base64url') } };
}

function onCurve(point: Buffer): boolean {
  try {
    ECDH.convertKey(point, 'prime256v1', undefined, undefined, 'compressed');
    return true;
  } catch {
    return false;
  }
}

function decode(value: unknown): Buffer | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9_+/-]+={0,2}$/.test(value) ? Buffer.from(value.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url') : undefined;
}

function registrationId(apiKey: string, kind: PushKind, credential: string): string {
  // apns and apns-voip tokens differ anyway; the kind keeps an FCM token and an endpoint apart too.
  return `pr_${createHash('sha256').update(`${apiKey}\0${kind}\0${credential}`).digest('base64url').slice(0, 24)}`;
}

/** A registration as listed over REST: Web Push keys are left out. */
export function describeRegistration(registration: PushRegistration): Record<string, unknown> {
  const view: Record<string, unknown> = { id: registration.id, identity: registration.identity, kind: registration.kind, createdAt: registration.createdAt };
  if (registration.token !== undefined) {
    view['token'] = registration.token;
  }
  if (registration.subscription) {
    view['endpoint'] = registration.subscription.endpoint;
  }
  if (registration.topic !== undefined) {
    view['topic'] = registration.topic;
  }
  return view;
}
