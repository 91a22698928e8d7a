import { FcmAccessToken, TokenError } from './fcm-auth.js';
import { HttpClient, jsonBody, type HttpAnswer } from './http-request.js';
import { collapseKey, noticeFields, ttlSeconds, DEFAULT_ALERTS } from './notice-fields.js';
import type { FcmConfig } from './resolve-config.js';
import { parseRetryAfter } from './retry.js';
import { failure, type AlertText, type PushNotice, type PushProvider, type PushRegistration, type PushResult, type PushStyle } from './types.js';

/** FCM refuses messages whose payload passes 4 KB. */
const MAX_MESSAGE_BYTES = 4096;

interface FcmErrorBody {
  error?: {
    code?: number;
    status?: string;
    message?: string;
    details?: { '@type'?: string; errorCode?: string; fieldViolations?: { field?: string }[] }[];
  };
}

/**
 * FCM HTTP v1 (`POST /v1/projects/{project}/messages:send`) with service-account OAuth. Invites and
 * cancellations are high-priority data messages (the app shows its own ringing screen); signals are
 * notification messages, or normal-priority data messages for `background`. Error handling follows
 * Firebase's "FCM error codes" table.
 */
export class FcmProvider implements PushProvider {
  readonly #config: FcmConfig;
  readonly #http: HttpClient;
  readonly #auth: FcmAccessToken;
  readonly #now: () => number;
  readonly #alerts: Record<PushNotice['type'], AlertText>;

  constructor(config: FcmConfig, options: { now: () => number; timeoutMs: number; alerts?: Partial<Record<PushNotice['type'], AlertText>> }) {
    this.#config = config;
    this.#now = options.now;
    this.#http = new HttpClient({ timeoutMs: options.timeoutMs, ca: config.ca });
    this.#auth = new FcmAccessToken(config, this.#http, options.now);
    this.#alerts = { ...DEFAULT_ALERTS, ...options.alerts };
  }

  /** The OAuth access token in use (exchanged or cached). */
  accessToken(): Promise<string> {
    return this.#auth.get();
  }

  async send(registration: PushRegistration, notice: PushNotice, style: PushStyle): Promise<PushResult> {
    if (registration.token === undefined) {
      return failure('no registration token', { remove: true });
    }
    let body = JSON.stringify({ message: this.#message(registration.token, notice, style, false) });
    if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES) {
      body = JSON.stringify({ message: this.#message(registration.token, notice, style, true) });
    }
    // One fresh-token retry: a 401 means the cached access token was revoked or expired early.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      let token: string;
      try {
        token = await this.#auth.get();
      } catch (err) {
        return failure(err instanceof TokenError ? err.message : String(err), { retryable: err instanceof TokenError && err.retryable });
      }
      let answer: HttpAnswer;
      try {
        answer = await this.#http.request(`${this.#config.url}/v1/projects/${encodeURIComponent(this.#config.projectId)}/messages:send`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) },
          body,
        });
      } catch (err) {
        return failure(`connection: ${(err as Error).message}`, { retryable: true });
      }
      if (answer.status === 401 && attempt === 0 && errorCode(answer) !== 'THIRD_PARTY_AUTH_ERROR') {
        this.#auth.invalidate(token);
        continue;
      }
      return this.#classify(answer);
    }
    return failure('UNAUTHENTICATED');
  }

  async close(): Promise<void> {
    this.#http.close();
  }

  #message(token: string, notice: PushNotice, style: PushStyle, omitData: boolean): Record<string, unknown> {
    const android: Record<string, unknown> = {
      priority: notice.type === 'signal' && style === 'background' ? 'normal' : 'high',
      ttl: `${ttlSeconds(notice, this.#now())}s`,
      collapse_key: collapseKey(notice),
    };
    const message: Record<string, unknown> = { token, data: noticeFields(notice, omitData), android };
    if (notice.type === 'signal' && style === 'alert') {
      const alert = this.#alerts.signal;
      message['notification'] = { title: alert.title, body: alert.body };
    }
    return message;
  }

  #classify(answer: HttpAnswer): PushResult {
    if (answer.status === 200) {
      return { ok: true };
    }
    const code = errorCode(answer);
    const parsed = jsonBody(answer) as FcmErrorBody | undefined;
    const reason = code ?? parsed?.error?.status ?? `HTTP ${answer.status}`;
    const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], this.#now());
    if (code === 'UNREGISTERED' || code === 'SENDER_ID_MISMATCH') {
      return failure(reason, { remove: true });
    }
    if (answer.status === 400 && (code === 'INVALID_ARGUMENT' || parsed?.error?.status === 'INVALID_ARGUMENT') && aboutToken(parsed)) {
      return failure(`${reason}: invalid registration token`, { remove: true });
    }
    if (answer.status === 429 || answer.status >= 500) {
      return failure(reason, { retryable: true, retryAfterMs });
    }
    return failure(`${reason}${parsed?.error?.message ? `: ${parsed.error.message}` : ''}`);
  }
}

function errorCode(answer: HttpAnswer): string | undefined {
  const details = (jsonBody(answer) as FcmErrorBody | undefined)?.error?.details ?? [];
  return details.find((d) => d['@type']?.endsWith('google.firebase.fcm.v1.FcmError'))?.errorCode;
}

/** INVALID_ARGUMENT is about the token (not our message) when a field violation or the text says so. */
function aboutToken(parsed: FcmErrorBody | undefined): boolean {
  const violations = (parsed?.error?.details ?? []).flatMap((d) => d.fieldViolations ?? []);
  return violations.some((v) => v.field === 'message.token') || /registration token/i.test(parsed?.error?.message ?? '');
}
