import type { HttpClient } from './http-request.js';
import { jsonBody } from './http-request.js';
import { signJwt } from './jwt-sign.js';
import type { FcmConfig } from './resolve-config.js';

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
/** Refresh this long before Google's expiry, so a token never expires in flight. */
export const FCM_TOKEN_MARGIN_MS = 5 * 60 * 1000;

/** Why the token endpoint refused; `retryable` for 429/5xx and network failures. */
export class TokenError extends Error {
  override readonly name = 'TokenError';
  readonly retryable: boolean;

  constructor(message: string, retryable: boolean) {
    super(message);
    this.retryable = retryable;
  }
}

/**
 * OAuth 2 for a Google service account (RFC 7523 JWT bearer grant): an RS256 assertion signed with
 * the account's key is exchanged at the token endpoint for an access token, which is cached until
 * five minutes before it expires. Concurrent callers share one exchange.
 */
export class FcmAccessToken {
  readonly #config: FcmConfig;
  readonly #http: HttpClient;
  readonly #now: () => number;
  #cached: { token: string; expiresAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(config: FcmConfig, http: HttpClient, now: () => number) {
    this.#config = config;
    this.#http = http;
    this.#now = now;
  }

  get(): Promise<string> {
    if (this.#cached && this.#now() < this.#cached.expiresAt - FCM_TOKEN_MARGIN_MS) {
      return Promise.resolve(this.#cached.token);
    }
    this.#pending ??= this.#exchange().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Forgets a token FCM refused (401), so the next call exchanges a new one. */
  invalidate(token: string): void {
    if (this.#cached?.token === token) {
      this.#cached = undefined;
    }
  }

  async #exchange(): Promise<string> {
    const iat = Math.floor(this.#now() / 1000);
    const header: { alg: 'RS256'; typ: string; kid?: string } = { alg: 'RS256', typ: 'JWT' };
    if (this.#config.privateKeyId !== undefined) {
      header.kid = this.#config.privateKeyId;
    }
    const assertion = signJwt(header, { iss: this.#config.clientEmail, scope: SCOPE, aud: this.#config.tokenUrl, iat, exp: iat + 3600 }, this.#config.privateKey);
    const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString();
    let answer;
    try {
      answer = await this.#http.request(this.#config.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
        body,
      });
    } catch (err) {
      throw new TokenError(`token endpoint unreachable: ${(err as Error).message}`, true);
    }
    const parsed = jsonBody(answer) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | undefined;
    if (answer.status !== 200 || typeof parsed?.access_token !== 'string') {
      const why = typeof parsed?.error === 'string' ? `${parsed.error}${typeof parsed.error_description === 'string' ? `: ${parsed.error_description}` : ''}` : `HTTP ${answer.status}`;
      throw new TokenError(`token endpoint refused: ${why}`, answer.status === 429 || answer.status >= 500);
    }
    const expiresIn = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 3600;
    this.#cached = { token: parsed.access_token, expiresAt: this.#now() + expiresIn * 1000 };
    return parsed.access_token;
  }
}
