import { randomBytes, type KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitForRecord } from './fake-apns.js';
import { checkJwt } from './jwt-check.js';

/** One message FCM accepted. */
export interface FcmMessage {
  token: string;
  data: Record<string, string>;
  android: Record<string, unknown> | undefined;
  notification: Record<string, unknown> | undefined;
  accessToken: string;
}

export interface FcmAnswer {
  status: number;
  /** `UNAVAILABLE`, `QUOTA_EXCEEDED`, `INTERNAL`, … */
  errorCode: string;
  retryAfter?: number;
}

interface FakeFcmOptions {
  publicKey: KeyObject;
  clientEmail: string;
  projectId: string;
  expiresIn: number;
  now: () => number;
}

const STATUS_NAMES: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };
const FCM_ERROR = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';

/**
 * A local stand-in for FCM HTTP v1 and Google's OAuth token endpoint, on one HTTP server:
 * `POST /token` checks the RS256 service-account assertion (signature with the account's public key,
 * `iss`, `scope`, `aud`, lifetime) and issues access tokens; `POST /v1/projects/{id}/messages:send`
 * checks the bearer token and the message's shape and answers like FCM, error bodies included.
 */
export class FakeFcm {
  readonly #server: Server;
  readonly #events = new EventEmitter();
  readonly #options: FakeFcmOptions;
  readonly #accessTokens = new Map<string, number>();
  readonly #scripted: FcmAnswer[] = [];
  readonly #unregistered = new Set<string>();
  readonly #invalid = new Set<string>();
  readonly messages: FcmMessage[] = [];
  readonly requests: { token: string; status: number; errorCode?: string; at: number }[] = [];
  /** Successful token exchanges. */
  tokenExchanges = 0;
  url = '';

  private constructor(options: FakeFcmOptions) {
    this.#options = options;
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  static async start(options: { publicKey: KeyObject; clientEmail: string; projectId: string; expiresIn?: number; now?: () => number }): Promise<FakeFcm> {
    const fake = new FakeFcm({ ...options, expiresIn: options.expiresIn ?? 3599, now: options.now ?? Date.now });
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  failNext(...answers: FcmAnswer[]): void {
    this.#scripted.push(...answers);
  }

  /** The app was uninstalled: 404 UNREGISTERED. */
  unregister(token: string): void {
    this.#unregistered.add(token);
  }

  /** FCM does not recognise the token: 400 INVALID_ARGUMENT on `message.token`. */
  rejectToken(token: string): void {
    this.#invalid.add(token);
  }

  /** Every access token issued so far stops working (401), as if revoked. */
  revokeAccessTokens(): void {
    this.#accessTokens.clear();
  }

  waitFor(where: (message: FcmMessage) => boolean = () => true, timeoutMs = 5_000): Promise<FcmMessage> {
    return waitForRecord(this.#events, 'message', this.messages, where, timeoutMs, 'FCM message');
  }

  waitForRequests(count: number, timeoutMs = 5_000): Promise<void> {
    return waitForRecord(this.#events, 'request', this.requests, () => this.requests.length >= count, timeoutMs, `${count} FCM requests`).then(() => undefined);
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
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'POST' && req.url === '/token') {
      this.#token(req, body, res);
      return;
    }
    const match = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      this.#error(res, 404, 'Not found', undefined);
      return;
    }
    this.#send(req, match[1] as string, body, res);
    this.#events.emit('request');
  }

  #token(req: IncomingMessage, body: string, res: ServerResponse): void {
    const form = new URLSearchParams(body);
    const refuse = (description: string): void => json(res, 400, { error: 'invalid_grant', error_description: description });
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      json(res, 400, { error: 'invalid_request', error_description: 'Bad content type' });
      return;
    }
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      json(res, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' });
      return;
    }
    const checked = checkJwt(form.get('assertion') ?? '', this.#options.publicKey, 'RS256');
    if (typeof checked === 'string') {
      refuse(`Invalid JWT Signature (${checked}).`);
      return;
    }
    const { iss, scope, aud, iat, exp } = checked.claims;
    const nowS = Math.floor(this.#options.now() / 1000);
    if (iss !== this.#options.clientEmail || aud !== this.tokenUrl || typeof scope !== 'string' || !scope.split(' ').includes('https://www.googleapis.com/auth/firebase.messaging')) {
      refuse('Invalid JWT: iss, aud or scope.');
      return;
    }
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > 3600 || exp <= nowS || iat > nowS + 300) {
      refuse('Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
      return;
    }
    const accessToken = `ya29.${randomBytes(24).toString('base64url')}`;
    this.#accessTokens.set(accessToken, this.#options.now() + this.#options.expiresIn * 1000);
    this.tokenExchanges += 1;
    json(res, 200, { access_token: accessToken, expires_in: this.#options.expiresIn, token_type: 'Bearer' });
  }

  #send(req: IncomingMessage, project: string, body: string, res: ServerResponse): void {
    const auth = String(req.headers['authorization'] ?? '');
    const accessToken = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const expiresAt = this.#accessTokens.get(accessToken);
    let message: Record<string, unknown> | undefined;
    try {
      message = (JSON.parse(body) as { message?: Record<string, unknown> }).message;
    } catch {
      message = undefined;
    }
    const token = typeof message?.['token'] === 'string' ? message['token'] : '';
    const record = (status: number, errorCode?: string): void => {
      const at = Date.now();
      this.requests.push(errorCode === undefined ? { token, status, at } : { token, status, errorCode, at });
    };
    if (expiresAt === undefined || expiresAt <= this.#options.now()) {
      record(401, 'UNAUTHENTICATED');
      this.#error(res, 401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.', undefined);
      return;
    }
    if (project !== this.#options.projectId) {
      record(403, 'SENDER_ID_MISMATCH');
      this.#error(res, 403, 'Permission denied.', 'SENDER_ID_MISMATCH');
      return;
    }
    const scripted = this.#scripted.shift();
    if (scripted) {
      record(scripted.status, scripted.errorCode);
      this.#error(res, scripted.status, 'Scripted failure.', scripted.errorCode, scripted.retryAfter);
      return;
    }
    const invalid = this.#checkMessage(message, body);
    if (invalid) {
      record(400, 'INVALID_ARGUMENT');
      this.#error(res, 400, invalid, 'INVALID_ARGUMENT');
      return;
    }
    if (this.#invalid.has(token)) {
      record(400, 'INVALID_ARGUMENT');
      this.#error(res, 400, 'The registration token is not a valid FCM registration token', 'INVALID_ARGUMENT', undefined, 'message.token');
      return;
    }
    if (this.#unregistered.has(token)) {
      record(404, 'UNREGISTERED');
      this.#error(res, 404, 'Requested entity was not found.', 'UNREGISTERED');
      return;
    }
    const accepted = message as Record<string, unknown>;
    this.messages.push({
      token,
      data: (accepted['data'] ?? {}) as Record<string, string>,
      android: accepted['android'] as Record<string, unknown> | undefined,
      notification: accepted['notification'] as Record<string, unknown> | undefined,
      accessToken,
    });
    record(200);
    json(res, 200, { name: `projects/${project}/messages/${randomBytes(8).toString('hex')}` });
    this.#events.emit('message');
  }

  /** What FCM's validation refuses (a subset: the fields Vigil sends). */
  #checkMessage(message: Record<string, unknown> | undefined, body: string): string | undefined {
    if (!message) {
      return 'Invalid JSON payload received. Missing "message".';
    }
    const targets = ['token', 'topic', 'condition'].filter((k) => message[k] !== undefined);
    if (targets.length !== 1 || typeof message['token'] !== 'string') {
      return 'Exactly one of token, topic or condition must be set.';
    }
    const data = message['data'];
    if (data !== undefined && (typeof data !== 'object' || data === null || Object.values(data).some((v) => typeof v !== 'string'))) {
      return 'Invalid value at message.data: values must be strings.';
    }
    const android = message['android'] as Record<string, unknown> | undefined;
    if (android) {
      if (android['priority'] !== undefined && !['normal', 'high'].includes(String(android['priority']).toLowerCase())) {
        return 'Invalid value at message.android.priority.';
      }
      if (android['ttl'] !== undefined && !/^\d+(\.\d{1,9})?s$/.test(String(android['ttl']))) {
        return 'Invalid value at message.android.ttl (Duration).';
      }
      if (android['collapse_key'] !== undefined && typeof android['collapse_key'] !== 'string') {
        return 'Invalid value at message.android.collapse_key.';
      }
    }
    if (Buffer.byteLength(body) > 4096 + 512) {
      return 'Message is too big.';
    }
    return undefined;
  }

  #error(res: ServerResponse, status: number, message: string, errorCode: string | undefined, retryAfter?: number, field?: string): void {
    const details: Record<string, unknown>[] = [];
    if (errorCode !== undefined) {
      details.push({ '@type': FCM_ERROR, errorCode });
    }
    if (field !== undefined) {
      details.push({ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field, description: 'Invalid registration token' }] });
    }
    const headers: Record<string, string | number> = {};
    if (retryAfter !== undefined) {
      headers['retry-after'] = retryAfter;
    }
    json(res, status, { error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN', details } }, headers);
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
