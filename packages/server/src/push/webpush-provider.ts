import { HttpClient, type HttpAnswer } from './http-request.js';
import { signJwt } from './jwt-sign.js';
import { collapseKey, noticeFields, ttlSeconds, DEFAULT_ALERTS } from './notice-fields.js';
import type { WebPushConfig } from './resolve-config.js';
import { parseRetryAfter } from './retry.js';
import { failure, type AlertText, type PushNotice, type PushProvider, type PushRegistration, type PushResult, type PushStyle } from './types.js';
import { encryptWebPush, MAX_WEBPUSH_PLAINTEXT } from './webpush-encrypt.js';

/** VAPID JWTs live 12 hours (RFC 8292 allows up to 24); a new one is signed when 1 hour is left. */
const VAPID_LIFETIME_S = 12 * 3600;
const VAPID_MARGIN_MS = 3600 * 1000;

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm encryption (RFC 8291). The payload is the
 * notice as JSON, with a title and body the service worker may show.
 */
export class WebPushProvider implements PushProvider {
  readonly #config: WebPushConfig;
  readonly #http: HttpClient;
  readonly #now: () => number;
  readonly #alerts: Record<PushNotice['type'], AlertText>;
  /** Per push-service origin (the JWT's `aud`). */
  readonly #jwts = new Map<string, { jwt: string; expiresAt: number }>();

  constructor(config: WebPushConfig, options: { now: () => number; timeoutMs: number; alerts?: Partial<Record<PushNotice['type'], AlertText>> }) {
    this.#config = config;
    this.#now = options.now;
    this.#http = new HttpClient({ timeoutMs: options.timeoutMs, ca: config.ca });
    this.#alerts = { ...DEFAULT_ALERTS, ...options.alerts };
  }

  /** The VAPID `Authorization` header value for a push service origin. */
  authorization(audience: string): string {
    const now = this.#now();
    let cached = this.#jwts.get(audience);
    if (!cached || now >= cached.expiresAt - VAPID_MARGIN_MS) {
      const exp = Math.floor(now / 1000) + VAPID_LIFETIME_S;
      cached = { jwt: signJwt({ typ: 'JWT', alg: 'ES256' }, { aud: audience, exp, sub: this.#config.subject }, this.#config.privateKey), expiresAt: exp * 1000 };
      this.#jwts.set(audience, cached);
      if (this.#jwts.size > 1000) {
        this.#jwts.delete(this.#jwts.keys().next().value as string);
      }
    }
    return `vapid t=${cached.jwt}, k=${this.#config.publicKey.toString('base64url')}`;
  }

  async send(registration: PushRegistration, notice: PushNotice, style: PushStyle): Promise<PushResult> {
    const subscription = registration.subscription;
    if (!subscription) {
      return failure('no subscription', { remove: true });
    }
    let plaintext = Buffer.from(JSON.stringify(this.#payload(notice, style, false)));
    if (plaintext.length > MAX_WEBPUSH_PLAINTEXT) {
      plaintext = Buffer.from(JSON.stringify(this.#payload(notice, style, true)));
    }
    const body = encryptWebPush(plaintext, Buffer.from(subscription.keys.p256dh, 'base64url'), Buffer.from(subscription.keys.auth, 'base64url'));
    let answer: HttpAnswer;
    try {
      answer = await this.#http.request(subscription.endpoint, {
        method: 'POST',
        headers: {
          authorization: this.authorization(new URL(subscription.endpoint).origin),
          'content-encoding': 'aes128gcm',
          'content-type': 'application/octet-stream',
          'content-length': body.length,
          ttl: ttlSeconds(notice, this.#now()),
          urgency: notice.type === 'signal' ? 'normal' : 'high',
          topic: collapseKey(notice),
        },
        body,
      });
    } catch (err) {
      return failure(`connection: ${(err as Error).message}`, { retryable: true });
    }
    if (answer.status >= 200 && answer.status < 300) {
      return { ok: true };
    }
    const reason = `HTTP ${answer.status}${answer.body.length > 0 ? `: ${answer.body.toString('utf8').slice(0, 200)}` : ''}`;
    if (answer.status === 404 || answer.status === 410) {
      return failure(reason, { remove: true });
    }
    if (answer.status === 429 || answer.status >= 500) {
      return failure(reason, { retryable: true, retryAfterMs: parseRetryAfter(answer.headers['retry-after'], this.#now()) });
    }
    return failure(reason);
  }

  async close(): Promise<void> {
    this.#http.close();
  }

  #payload(notice: PushNotice, style: PushStyle, omitData: boolean): Record<string, unknown> {
    const payload: Record<string, unknown> = { ...noticeFields(notice, omitData) };
    if (style !== 'background') {
      const alert = this.#alerts[notice.type];
      payload['title'] = alert.title;
      payload['body'] = alert.body;
    }
    return payload;
  }
}
