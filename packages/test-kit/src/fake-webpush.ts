import { createDecipheriv, createECDH, createHmac, createPublicKey, randomBytes, type ECDH } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitForRecord } from './fake-apns.js';
import { checkJwt } from './jwt-check.js';

/** A browser's subscription as the page would send it, plus what only the browser knows. */
export interface FakeSubscription {
  id: string;
  /** `PushSubscription.toJSON()`: what the app registers. */
  json: { endpoint: string; keys: { p256dh: string; auth: string } };
}

/** One message the push service accepted, decrypted as the browser would. */
export interface WebPushMessage {
  subscriptionId: string;
  payload: Record<string, unknown>;
  ttl: number;
  urgency: string | undefined;
  topic: string | undefined;
  bytes: number;
}

interface Subscriber {
  ecdh: ECDH;
  auth: Buffer;
  gone: boolean;
}

const URGENCIES = new Set(['very-low', 'low', 'normal', 'high']);

/**
 * A local stand-in for a browser push service (RFC 8030) and the browser behind it. It hands out
 * subscriptions whose private keys it keeps, checks what push services check — the VAPID JWT (ES256,
 * `aud` = the endpoint's origin, `exp` within 24 hours, `sub`) against the application server key the
 * subscription was made with, `TTL`, `Urgency`, `Topic`, `Content-Encoding: aes128gcm`, 4 KB — and
 * decrypts each message (RFC 8291) as the browser would. 201 on success; 410 for an unsubscribed
 * endpoint, 404 for an unknown one.
 */
export class FakeWebPush {
  readonly #server: Server;
  readonly #events = new EventEmitter();
  readonly #subscribers = new Map<string, Subscriber>();
  readonly #applicationServerKey: string;
  readonly #now: () => number;
  readonly #scripted: { status: number; retryAfter?: number }[] = [];
  readonly messages: WebPushMessage[] = [];
  readonly requests: { subscriptionId: string; status: number; reason?: string; at: number }[] = [];
  url = '';

  private constructor(applicationServerKey: string, now: () => number) {
    this.#applicationServerKey = applicationServerKey;
    this.#now = now;
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  /** `applicationServerKey`: the VAPID public key (base64url) pages subscribe with. */
  static async start(options: { applicationServerKey: string; now?: () => number }): Promise<FakeWebPush> {
    const fake = new FakeWebPush(options.applicationServerKey, options.now ?? Date.now);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** A new subscription, as `pushManager.subscribe()` would make. */
  subscribe(): FakeSubscription {
    const id = randomBytes(12).toString('base64url');
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    this.#subscribers.set(id, { ecdh, auth, gone: false });
    return { id, json: { endpoint: `${this.url}/push/${id}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } } };
  }

  /** The user revoked permission: 410 Gone from now on. */
  unsubscribe(id: string): void {
    const subscriber = this.#subscribers.get(id);
    if (subscriber) {
      subscriber.gone = true;
    }
  }

  failNext(...answers: { status: number; retryAfter?: number }[]): void {
    this.#scripted.push(...answers);
  }

  waitFor(where: (message: WebPushMessage) => boolean = () => true, timeoutMs = 5_000): Promise<WebPushMessage> {
    return waitForRecord(this.#events, 'message', this.messages, where, timeoutMs, 'Web Push message');
  }

  waitForRequests(count: number, timeoutMs = 5_000): Promise<void> {
    return waitForRecord(this.#events, 'request', this.requests, () => this.requests.length >= count, timeoutMs, `${count} Web Push requests`).then(() => undefined);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const id = /^\/push\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '')?.[1] ?? '';
    const answer = this.#judge(req, id, Buffer.concat(chunks));
    const at = Date.now();
    this.requests.push(answer.status === 201 ? { subscriptionId: id, status: 201, at } : { subscriptionId: id, status: answer.status, reason: answer.reason, at });
    const headers: Record<string, string | number> = {};
    if (answer.retryAfter !== undefined) {
      headers['retry-after'] = answer.retryAfter;
    }
    if (answer.status === 201) {
      headers['location'] = `${this.url}/message/${randomBytes(8).toString('hex')}`;
    }
    res.writeHead(answer.status, headers);
    res.end(answer.status === 201 ? '' : answer.reason);
    if (answer.message) {
      this.messages.push(answer.message);
      this.#events.emit('message');
    }
    this.#events.emit('request');
  }

  #judge(req: IncomingMessage, id: string, body: Buffer): { status: number; reason: string; retryAfter?: number; message?: WebPushMessage } {
    const subscriber = this.#subscribers.get(id);
    if (req.method !== 'POST' || !subscriber) {
      return { status: 404, reason: 'Not Found' };
    }
    if (subscriber.gone) {
      return { status: 410, reason: 'Gone: the subscription has expired or been unsubscribed' };
    }
    const auth = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(String(req.headers['authorization'] ?? ''));
    if (!auth) {
      return { status: 401, reason: 'Missing or malformed VAPID Authorization' };
    }
    if (auth[2] !== this.#applicationServerKey) {
      return { status: 403, reason: 'The VAPID key does not match the subscription' };
    }
    const raw = Buffer.from(auth[2] as string, 'base64url');
    const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') }, format: 'jwk' });
    const jwt = checkJwt(auth[1] as string, key, 'ES256');
    if (typeof jwt === 'string') {
      return { status: 403, reason: `VAPID JWT: ${jwt}` };
    }
    const { aud, exp, sub } = jwt.claims;
    const nowS = Math.floor(this.#now() / 1000);
    if (aud !== this.url || typeof exp !== 'number' || exp <= nowS || exp > nowS + 24 * 3600 || typeof sub !== 'string' || !/^(mailto:|https:)/.test(sub)) {
      return { status: 403, reason: 'VAPID JWT claims (aud, exp, sub) refused' };
    }
    const ttl = req.headers['ttl'];
    if (typeof ttl !== 'string' || !/^\d+$/.test(ttl)) {
      return { status: 400, reason: 'Missing TTL header' };
    }
    const urgency = req.headers['urgency'] as string | undefined;
    if (urgency !== undefined && !URGENCIES.has(urgency)) {
      return { status: 400, reason: 'Bad Urgency' };
    }
    const topic = req.headers['topic'] as string | undefined;
    if (topic !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(topic)) {
      return { status: 400, reason: 'Bad Topic' };
    }
    if (req.headers['content-encoding'] !== 'aes128gcm') {
      return { status: 415, reason: 'Content-Encoding must be aes128gcm' };
    }
    if (body.length > 4096) {
      return { status: 413, reason: 'Payload Too Large' };
    }
    const scripted = this.#scripted.shift();
    if (scripted) {
      return scripted.retryAfter === undefined ? { status: scripted.status, reason: 'Scripted failure' } : { status: scripted.status, reason: 'Scripted failure', retryAfter: scripted.retryAfter };
    }
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(decrypt(body, subscriber).toString('utf8')) as Record<string, unknown>;
    } catch (err) {
      return { status: 400, reason: `Cannot decrypt: ${(err as Error).message}` };
    }
    return { status: 201, reason: '', message: { subscriptionId: id, payload, ttl: Number(ttl), urgency, topic, bytes: body.length } };
  }
}

function hmac(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** The browser's side of RFC 8291: one aes128gcm record, decrypted with the subscription's keys. */
export function decrypt(body: Buffer, subscriber: { ecdh: ECDH; auth: Buffer }): Buffer {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body.readUInt8(20);
  const senderPublic = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  if (idLength !== 65 || recordSize < 18 || ciphertext.length > recordSize) {
    throw new Error('bad aes128gcm header');
  }
  const uaPublic = subscriber.ecdh.getPublicKey();
  const secret = subscriber.ecdh.computeSecret(senderPublic);
  const ikm = hmac(hmac(subscriber.auth, secret), Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, senderPublic, Buffer.from([1])]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // Strip padding: the last non-zero byte is the delimiter, 0x02 for the last record.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) {
    end -= 1;
  }
  if (padded[end] !== 2) {
    throw new Error('missing last-record delimiter');
  }
  return padded.subarray(0, end);
}
