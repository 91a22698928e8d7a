import { randomUUID, type KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createSecureServer, createServer, type Http2Server, type Http2SecureServer, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { checkJwt } from './jwt-check.js';
import { selfSignedCert } from './push-keys.js';

/** One push APNs accepted. */
export interface ApnsPush {
  token: string;
  topic: string;
  pushType: string;
  priority: string | undefined;
  collapseId: string | undefined;
  expiration: string | undefined;
  payload: Record<string, unknown>;
  bytes: number;
  /** The provider token (JWT) it came with. */
  jwt: string;
}

/** A scripted answer: status and APNs reason, optionally Retry-After seconds. */
export interface ApnsAnswer {
  status: number;
  reason: string;
  retryAfter?: number;
}

const PUSH_TYPES = new Set(['alert', 'background', 'voip', 'complication', 'fileprovider', 'mdm', 'location', 'liveactivity', 'pushtotalk']);

/**
 * A local stand-in for APNs (api.push.apple.com): HTTP/2 over TLS with a self-signed certificate made
 * by `openssl` (h2c when openssl is missing). It checks what APNs checks — the ES256 provider token
 * against the key's public half, its `kid`, `iss` and age, `apns-topic` against the bundle id,
 * `apns-push-type`, `apns-priority`, the collapse id, the payload size limits (4 KB, 5 KB for VoIP) —
 * and answers with APNs' statuses and `{"reason": …}` bodies. Close it with `close()`.
 */
export class FakeApns {
  readonly #server: Http2Server | Http2SecureServer;
  readonly #options: { publicKey: KeyObject; keyId: string; teamId: string; topic: string; now: () => number };
  readonly #events = new EventEmitter();
  readonly #sessions = new Set<ServerHttp2Session>();
  readonly #scripted: ApnsAnswer[] = [];
  readonly #badTokens = new Set<string>();
  readonly #unregistered = new Set<string>();
  /** Pushes accepted (200), in arrival order. */
  readonly pushes: ApnsPush[] = [];
  /** Every request, accepted or not, with the status it got. */
  readonly requests: { token: string; status: number; reason?: string; headers: IncomingHttpHeaders; at: number }[] = [];
  /** Provider tokens seen, in order of first use (APNs refuses a new one more often than every 20 minutes). */
  readonly providerTokens: string[] = [];
  url = '';
  /** The certificate to trust (`push.apns.ca`); undefined for h2c. */
  readonly ca: string | undefined;

  private constructor(options: { publicKey: KeyObject; keyId: string; teamId: string; topic: string; now: () => number }, tls: { key: string; cert: string } | undefined) {
    this.#options = options;
    this.ca = tls?.cert;
    this.#server = tls ? createSecureServer({ key: tls.key, cert: tls.cert }) : createServer();
    this.#server.on('stream', (stream, headers) => this.#onStream(stream, headers));
    this.#server.on('session', (session) => {
      this.#sessions.add(session);
      session.on('close', () => this.#sessions.delete(session));
    });
    // A client that goes away mid-stream must not crash the test process.
    this.#server.on('sessionError', () => {});
  }

  static async start(options: { publicKey: KeyObject; keyId: string; teamId: string; topic: string; now?: () => number; tls?: boolean }): Promise<FakeApns> {
    const tls = options.tls === false ? undefined : selfSignedCert();
    const fake = new FakeApns({ publicKey: options.publicKey, keyId: options.keyId, teamId: options.teamId, topic: options.topic, now: options.now ?? Date.now }, tls);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.url = `${tls ? 'https' : 'http'}://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The next requests get these answers, whatever they are (e.g. 503 ServiceUnavailable). */
  failNext(...answers: ApnsAnswer[]): void {
    this.#scripted.push(...answers);
  }

  /** From now on this token is malformed for APNs (400 BadDeviceToken). */
  rejectToken(token: string): void {
    this.#badTokens.add(token);
  }

  /** The app was uninstalled: 410 Unregistered from now on. */
  unregister(token: string): void {
    this.#unregistered.add(token);
  }

  /** Resolves with the first accepted push (already received or to come) matching `where`. */
  waitFor(where: (push: ApnsPush) => boolean = () => true, timeoutMs = 5_000): Promise<ApnsPush> {
    return waitForRecord(this.#events, 'push', this.pushes, where, timeoutMs, 'APNs push');
  }

  /** Resolves once `count` requests (accepted or not) have arrived. */
  waitForRequests(count: number, timeoutMs = 5_000): Promise<void> {
    return waitForRecord(this.#events, 'request', this.requests, () => this.requests.length >= count, timeoutMs, `${count} APNs requests`).then(() => undefined);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      const force = setTimeout(resolve, 2_000);
      force.unref();
      this.#server.close(() => {
        clearTimeout(force);
        resolve();
      });
      // Open client sessions would keep close() waiting.
      for (const session of this.#sessions) {
        session.destroy();
      }
    });
  }

  #onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => {});
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      const token = String(headers[':path'] ?? '').replace(/^\/3\/device\//, '');
      const answer = this.#judge(headers, body, token);
      const at = Date.now();
      this.requests.push(answer.status === 200 ? { token, status: 200, headers, at } : { token, status: answer.status, reason: answer.reason, headers, at });
      if (answer.status === 200 && answer.push) {
        this.pushes.push(answer.push);
        this.#events.emit('push');
      }
      this.#events.emit('request');
      const responseHeaders: Record<string, string | number> = { ':status': answer.status, 'apns-id': String(headers['apns-id'] ?? randomUUID()) };
      if (answer.status === 200) {
        stream.respond(responseHeaders, { endStream: true });
        return;
      }
      if (answer.retryAfter !== undefined) {
        responseHeaders['retry-after'] = answer.retryAfter;
      }
      responseHeaders['content-type'] = 'application/json';
      stream.respond(responseHeaders);
      stream.end(JSON.stringify(answer.status === 410 ? { reason: answer.reason, timestamp: this.#options.now() } : { reason: answer.reason }));
    });
  }

  #judge(headers: IncomingHttpHeaders, body: Buffer, token: string): { status: number; reason: string; retryAfter?: number; push?: ApnsPush } {
    const fail = (status: number, reason: string): { status: number; reason: string } => ({ status, reason });
    if (headers[':method'] !== 'POST') {
      return fail(405, 'MethodNotAllowed');
    }
    if (!String(headers[':path'] ?? '').startsWith('/3/device/')) {
      return fail(404, 'BadPath');
    }
    if (token === '') {
      return fail(400, 'MissingDeviceToken');
    }
    const auth = String(headers['authorization'] ?? '');
    if (!auth.startsWith('bearer ')) {
      return fail(403, 'MissingProviderToken');
    }
    const jwt = auth.slice('bearer '.length);
    const checked = checkJwt(jwt, this.#options.publicKey, 'ES256');
    if (typeof checked === 'string') {
      return fail(403, 'InvalidProviderToken');
    }
    if (checked.header['kid'] !== this.#options.keyId) {
      return fail(403, 'UnrelatedKeyIdInToken');
    }
    const iat = checked.claims['iat'];
    const nowS = Math.floor(this.#options.now() / 1000);
    if (checked.claims['iss'] !== this.#options.teamId || typeof iat !== 'number' || iat > nowS + 300) {
      return fail(403, 'InvalidProviderToken');
    }
    if (nowS - iat > 3600) {
      return fail(403, 'ExpiredProviderToken');
    }
    if (!this.providerTokens.includes(jwt)) {
      this.providerTokens.push(jwt);
    }
    const scripted = this.#scripted.shift();
    if (scripted) {
      return scripted.retryAfter === undefined ? fail(scripted.status, scripted.reason) : { ...fail(scripted.status, scripted.reason), retryAfter: scripted.retryAfter };
    }
    const pushType = String(headers['apns-push-type'] ?? '');
    if (!PUSH_TYPES.has(pushType)) {
      return fail(400, 'InvalidPushType');
    }
    const topic = headers['apns-topic'];
    if (typeof topic !== 'string' || topic === '') {
      return fail(400, 'MissingTopic');
    }
    if (topic !== (pushType === 'voip' ? `${this.#options.topic}.voip` : this.#options.topic)) {
      return fail(400, 'TopicDisallowed');
    }
    const priority = headers['apns-priority'] as string | undefined;
    if (priority !== undefined && !['1', '5', '10'].includes(priority)) {
      return fail(400, 'BadPriority');
    }
    if (pushType === 'background' && priority !== '5') {
      return fail(400, 'BadPriority'); // Apple: background pushes must use priority 5
    }
    const expiration = headers['apns-expiration'] as string | undefined;
    if (expiration !== undefined && !/^\d+$/.test(expiration)) {
      return fail(400, 'BadExpirationDate');
    }
    const collapseId = headers['apns-collapse-id'] as string | undefined;
    if (collapseId !== undefined && Buffer.byteLength(collapseId) > 64) {
      return fail(400, 'BadCollapseId');
    }
    if (body.length === 0) {
      return fail(400, 'PayloadEmpty');
    }
    if (body.length > (pushType === 'voip' ? 5120 : 4096)) {
      return fail(413, 'PayloadTooLarge');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return fail(400, 'PayloadEmpty');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return fail(400, 'PayloadEmpty');
    }
    if (!/^[0-9a-f]{64,200}$/.test(token) || this.#badTokens.has(token)) {
      return fail(400, 'BadDeviceToken');
    }
    if (this.#unregistered.has(token)) {
      return fail(410, 'Unregistered');
    }
    const push: ApnsPush = { token, topic, pushType, priority, collapseId, expiration, payload: payload as Record<string, unknown>, bytes: body.length, jwt };
    return { status: 200, reason: '', push };
  }
}

/** Resolves with the first record (already there or to come) matching `where`, or rejects after `timeoutMs`. */
export function waitForRecord<T>(events: EventEmitter, event: string, records: readonly T[], where: (record: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const found = records.find(where);
      if (found !== undefined) {
        clearTimeout(timer);
        events.off(event, check);
        resolve(found);
        return true;
      }
      return false;
    };
    const timer = setTimeout(() => {
      events.off(event, check);
      reject(new Error(`no ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    if (!check()) {
      events.on(event, check);
    }
  });
}
