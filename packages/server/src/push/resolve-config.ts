import { createECDH, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ApnsOptions, FcmOptions, FcmServiceAccount, WebPushOptions } from './push-options.js';

export interface ApnsConfig {
  key: KeyObject;
  keyId: string;
  teamId: string;
  topic: string;
  url: string;
  ca?: string;
}

export interface FcmConfig {
  projectId: string;
  clientEmail: string;
  privateKey: KeyObject;
  privateKeyId?: string;
  url: string;
  tokenUrl: string;
  ca?: string;
}

export interface WebPushConfig {
  /** Uncompressed P-256 point, 65 bytes. */
  publicKey: Buffer;
  privateKey: KeyObject;
  subject: string;
  endpointOrigins: string[];
  ca?: string;
}

export const DEFAULT_ENDPOINT_ORIGINS = [
  'https://fcm.googleapis.com',
  'https://*.push.services.mozilla.com',
  'https://*.push.apple.com',
  'https://*.notify.windows.com',
];

// Startup checks. Every failure is a TypeError naming the option and what is wrong, which
// `vigil serve` prints as a usage error: a bad key must stop the server, not the first push.

export function resolveApns(options: ApnsOptions): ApnsConfig {
  const pem = readKey('push.apns', options.keyFile, options.key, 'keyFile', 'key');
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new TypeError(`push.apns: the key is not a PEM private key (${(err as Error).message}); use the .p8 file from Apple`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new TypeError(`push.apns: the key must be an ES256 (P-256) key, the .p8 file from Apple (got ${key.asymmetricKeyType ?? 'unknown'} ${key.asymmetricKeyDetails?.namedCurve ?? ''})`.trim());
  }
  if (typeof options.keyId !== 'string' || !/^[A-Z0-9]{10}$/.test(options.keyId)) {
    throw new TypeError('push.apns.keyId must be the 10-character key id from Apple (A-Z, 0-9)');
  }
  if (typeof options.teamId !== 'string' || !/^[A-Z0-9]{10}$/.test(options.teamId)) {
    throw new TypeError('push.apns.teamId must be the 10-character team id from Apple (A-Z, 0-9)');
  }
  if (typeof options.topic !== 'string' || !/^[A-Za-z0-9.-]{1,150}$/.test(options.topic) || options.topic.endsWith('.voip')) {
    throw new TypeError('push.apns.topic must be the app bundle id (e.g. com.example.app), without ".voip"');
  }
  const config: ApnsConfig = { key, keyId: options.keyId, teamId: options.teamId, topic: options.topic, url: checkUrl('push.apns.url', options.url ?? 'https://api.push.apple.com') };
  if (options.ca !== undefined) {
    config.ca = options.ca;
  }
  return config;
}

export function resolveFcm(options: FcmOptions): FcmConfig {
  let account: unknown = options.serviceAccount;
  if (options.serviceAccountFile !== undefined || typeof account === 'string') {
    const text = readKey('push.fcm', options.serviceAccountFile, typeof account === 'string' ? account : undefined, 'serviceAccountFile', 'serviceAccount');
    try {
      account = JSON.parse(text);
    } catch {
      throw new TypeError('push.fcm: the service account key is not JSON (download it from Firebase console → Project settings → Service accounts)');
    }
  }
  if (typeof account !== 'object' || account === null) {
    throw new TypeError('push.fcm needs serviceAccountFile or serviceAccount');
  }
  const fields = account as Partial<FcmServiceAccount> & Record<string, unknown>;
  for (const name of ['project_id', 'client_email', 'private_key'] as const) {
    if (typeof fields[name] !== 'string' || fields[name] === '') {
      throw new TypeError(`push.fcm: the service account key has no "${name}"`);
    }
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(fields.private_key as string);
  } catch (err) {
    throw new TypeError(`push.fcm: the service account's private_key is not a PEM private key (${(err as Error).message})`);
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new TypeError(`push.fcm: the service account's private_key must be an RSA key (got ${privateKey.asymmetricKeyType ?? 'unknown'})`);
  }
  const config: FcmConfig = {
    projectId: fields.project_id as string,
    clientEmail: fields.client_email as string,
    privateKey,
    url: checkUrl('push.fcm.url', options.url ?? 'https://fcm.googleapis.com'),
    tokenUrl: checkUrl('push.fcm.tokenUrl', options.tokenUrl ?? fields.token_uri ?? 'https://oauth2.googleapis.com/token'),
  };
  if (typeof fields.private_key_id === 'string') {
    config.privateKeyId = fields.private_key_id;
  }
  if (options.ca !== undefined) {
    config.ca = options.ca;
  }
  return config;
}

export function resolveWebPush(options: WebPushOptions): WebPushConfig {
  const publicKey = decodeBase64Url(options.vapidPublicKey);
  if (publicKey?.length !== 65 || publicKey[0] !== 4) {
    throw new TypeError('push.webPush.vapidPublicKey must be an uncompressed P-256 public key, base64url (65 bytes)');
  }
  const raw = decodeBase64Url(options.vapidPrivateKey);
  if (raw === undefined || raw.length === 0 || raw.length > 32) {
    throw new TypeError('push.webPush.vapidPrivateKey must be a P-256 private key, base64url (32 bytes)');
  }
  // Some generators drop leading zero bytes (Node's ECDH.getPrivateKey() does, 1 key in 256).
  const d = Buffer.concat([Buffer.alloc(32 - raw.length), raw]);
  let derived: Buffer;
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    derived = ecdh.getPublicKey();
  } catch {
    throw new TypeError('push.webPush.vapidPrivateKey is not a valid P-256 private key');
  }
  if (!derived.equals(publicKey)) {
    throw new TypeError('push.webPush: vapidPublicKey does not belong to vapidPrivateKey');
  }
  const privateKey = createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', d: d.toString('base64url'), x: publicKey.subarray(1, 33).toString('base64url'), y: publicKey.subarray(33).toString('base64url') },
    format: 'jwk',
  });
  if (typeof options.subject !== 'string' || !/^(mailto:.+@.+|https:\/\/.+)$/.test(options.subject)) {
    throw new TypeError('push.webPush.subject must be a mailto: address or an https: URL (the push services contact it)');
  }
  const endpointOrigins = options.endpointOrigins ?? DEFAULT_ENDPOINT_ORIGINS;
  for (const origin of endpointOrigins) {
    if (!/^https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:(\d+|\*))?$/.test(origin) && !/^https?:\/\/\[[0-9a-fA-F:]+\](:(\d+|\*))?$/.test(origin)) {
      throw new TypeError(`push.webPush.endpointOrigins: "${origin}" is not an origin like https://*.push.apple.com`);
    }
  }
  const config: WebPushConfig = { publicKey, privateKey, subject: options.subject, endpointOrigins };
  if (options.ca !== undefined) {
    config.ca = options.ca;
  }
  return config;
}

function readKey(where: string, file: string | undefined, inline: string | undefined, fileName: string, inlineName: string): string {
  if (file !== undefined && inline !== undefined) {
    throw new TypeError(`${where}: give ${fileName} or ${inlineName}, not both`);
  }
  if (inline !== undefined) {
    return inline;
  }
  if (file === undefined) {
    throw new TypeError(`${where} needs ${fileName} or ${inlineName}`);
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new TypeError(`${where}.${fileName}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function checkUrl(where: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${where} is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`${where} must be an https:// URL (http:// only for local test servers): ${value}`);
  }
  return value.replace(/\/+$/, '');
}

function decodeBase64Url(text: unknown): Buffer | undefined {
  return typeof text === 'string' && /^[A-Za-z0-9_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64url') : undefined;
}

/** True when `endpoint` is an https URL (or http where allowed) whose origin matches one of `patterns`. */
export function endpointAllowed(endpoint: string, patterns: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.username || url.password) {
    return false;
  }
  return patterns.some((pattern) => {
    const match = /^(https?):\/\/(\*\.)?([^:/]+|\[[^\]]+\])(?::(\d+|\*))?$/.exec(pattern);
    if (!match || url.protocol !== `${match[1]}:`) {
      return false;
    }
    const host = (match[3] as string).toLowerCase();
    const hostOk = match[2] ? url.hostname.endsWith(`.${host}`) : url.hostname === host;
    const defaultPort = url.protocol === 'https:' ? '443' : '80';
    const port = url.port || defaultPort;
    const portOk = match[4] === '*' || port === (match[4] ?? defaultPort);
    return hostOk && portOk;
  });
}
