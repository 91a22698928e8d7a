import { connect, constants, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { signJwt } from './jwt-sign.js';
import { collapseKey, noticeFields, DEFAULT_ALERTS } from './notice-fields.js';
import type { ApnsConfig } from './resolve-config.js';
import { parseRetryAfter } from './retry.js';
import { failure, type AlertText, type PushNotice, type PushProvider, type PushRegistration, type PushResult, type PushStyle } from './types.js';

/**
 * APNs allows provider tokens up to an hour old and refuses refreshing them more than once per 20
 * minutes (TooManyProviderTokenUpdates): one token is reused for 50 minutes, then replaced.
 */
export const APNS_TOKEN_REFRESH_MS = 50 * 60 * 1000;
const MIN_TOKEN_AGE_FOR_FORCED_REFRESH_MS = 20 * 60 * 1000;
/** Payload limits: 4 KB, 5 KB for VoIP pushes. */
export const APNS_MAX_PAYLOAD = { alert: 4096, background: 4096, voip: 5120 } as const;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * APNs over HTTP/2 with provider-token (ES256 JWT) authentication, one multiplexed connection,
 * reopened when APNs closes it (GOAWAY, idle) or it fails. Which answer means what follows Apple's
 * "Handling notification responses from APNs".
 */
export class ApnsProvider implements PushProvider {
  readonly #config: ApnsConfig;
  readonly #now: () => number;
  readonly #timeoutMs: number;
  readonly #alerts: Record<PushNotice['type'], AlertText>;
  #session: ClientHttp2Session | undefined;
  #token: { jwt: string; issuedAt: number } | undefined;

  constructor(config: ApnsConfig, options: { now: () => number; timeoutMs: number; alerts?: Partial<Record<PushNotice['type'], AlertText>> }) {
    this.#config = config;
    this.#now = options.now;
    this.#timeoutMs = options.timeoutMs;
    this.#alerts = { ...DEFAULT_ALERTS, ...options.alerts };
  }

  /** The current provider token; a new one when the last is 50 minutes old. */
  providerToken(): string {
    const now = this.#now();
    if (!this.#token || now - this.#token.issuedAt >= APNS_TOKEN_REFRESH_MS) {
      const jwt = signJwt({ alg: 'ES256', kid: this.#config.keyId }, { iss: this.#config.teamId, iat: Math.floor(now / 1000) }, this.#config.key);
      this.#token = { jwt, issuedAt: now };
    }
    return this.#token.jwt;
  }

  async send(registration: PushRegistration, notice: PushNotice, style: PushStyle): Promise<PushResult> {
    if (registration.token === undefined) {
      return failure('no device token', { remove: true });
    }
    const topic = registration.topic ?? this.#config.topic;
    const limit = APNS_MAX_PAYLOAD[style];
    let payload = JSON.stringify(this.#payload(notice, style, false));
    if (Buffer.byteLength(payload) > limit) {
      payload = JSON.stringify(this.#payload(notice, style, true));
    }
    const headers: Record<string, string> = {
      ':method': 'POST',
      ':path': `/3/device/${registration.token}`,
      authorization: `bearer ${this.providerToken()}`,
      'apns-topic': style === 'voip' ? `${topic}.voip` : topic,
      'apns-push-type': style,
      // Apple requires priority 5 for background pushes; alerts and VoIP go at once.
      'apns-priority': style === 'background' ? '5' : '10',
      'apns-expiration': String(Math.floor(notice.expiresAt / 1000)),
      'apns-collapse-id': collapseKey(notice),
      'content-type': 'application/json',
    };
    let answer: Answer;
    try {
      answer = await this.#request(headers, payload);
    } catch (err) {
      return failure(`connection: ${(err as Error).message}`, { retryable: true });
    }
    return this.#classify(answer);
  }

  async close(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    if (session && !session.destroyed) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => session.destroy(), 1_000);
        force.unref();
        session.close(() => {
          clearTimeout(force);
          resolve();
        });
      });
    }
  }

  #payload(notice: PushNotice, style: PushStyle, omitData: boolean): Record<string, unknown> {
    const vigil = noticeFields(notice, omitData);
    if (style === 'voip') {
      // PushKit hands the whole payload to the app, which must report the call to CallKit at once.
      return { vigil };
    }
    if (style === 'background') {
      return { aps: { 'content-available': 1 }, vigil };
    }
    const alert = this.#alerts[notice.type];
    return { aps: { alert: { title: alert.title, body: alert.body }, sound: 'default', 'thread-id': notice.sessionId }, vigil };
  }

  #classify(answer: Answer): PushResult {
    if (answer.status === 200) {
      return { ok: true };
    }
    let reason = `HTTP ${answer.status}`;
    try {
      const parsed = JSON.parse(answer.body) as { reason?: unknown };
      if (typeof parsed.reason === 'string') {
        reason = parsed.reason;
      }
    } catch {
      // Not JSON: keep the status.
    }
    const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], this.#now());
    if (answer.status === 410 || (answer.status === 400 && reason === 'BadDeviceToken')) {
      return failure(reason, { remove: true });
    }
    if (answer.status === 403 && reason === 'ExpiredProviderToken') {
      // Our clock or APNs' disagree; a fresh token is the cure, but not more than every 20 minutes.
      if (this.#token && this.#now() - this.#token.issuedAt >= MIN_TOKEN_AGE_FOR_FORCED_REFRESH_MS) {
        this.#token = undefined;
      }
      return failure(reason, { retryable: true, retryAfterMs: retryAfterMs ?? 0 });
    }
    if (answer.status === 429 || answer.status >= 500) {
      if (reason === 'Shutdown') {
        this.#dropSession();
      }
      return failure(reason, { retryable: true, retryAfterMs });
    }
    return failure(reason);
  }

  #request(headers: Record<string, string>, payload: string): Promise<Answer> {
    const session = this.#connect();
    return new Promise((resolve, reject) => {
      const stream = session.request(headers);
      let status = 0;
      let responseHeaders: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      stream.setTimeout(this.#timeoutMs, () => {
        stream.close(constants.NGHTTP2_CANCEL);
        reject(new Error(`no answer within ${this.#timeoutMs} ms`));
      });
      stream.on('response', (h) => {
        responseHeaders = h;
        status = Number(h[':status'] ?? 0);
      });
      stream.on('data', (chunk: Buffer) => chunks.length < 64 && chunks.push(chunk));
      stream.on('end', () => resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks).toString('utf8') }));
      stream.on('error', reject);
      // A reset stream ends without 'end'; the promise must still settle (a settled one ignores this).
      stream.on('close', () => reject(new Error(`stream closed (code ${stream.rstCode ?? 0})`)));
      stream.end(payload);
    });
  }

  #connect(): ClientHttp2Session {
    const current = this.#session;
    if (current && !current.closed && !current.destroyed) {
      return current;
    }
    const session = connect(this.#config.url, this.#config.ca === undefined ? {} : { ca: this.#config.ca });
    session.on('error', () => this.#forget(session));
    session.on('goaway', () => this.#forget(session));
    session.on('close', () => this.#forget(session));
    // An idle connection to APNs must not keep a stopping process alive; `close()` ends it properly.
    session.unref();
    this.#session = session;
    return session;
  }

  #forget(session: ClientHttp2Session): void {
    if (this.#session === session) {
      this.#session = undefined;
    }
  }

  #dropSession(): void {
    const session = this.#session;
    this.#session = undefined;
    session?.close();
  }
}
