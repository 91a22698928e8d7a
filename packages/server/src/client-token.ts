import { createHmac, timingSafeEqual } from 'node:crypto';
import { MAX_CONNECTION_DATA_LENGTH, VigilError, isRole, parseSessionId, type Role } from '@vigil/protocol';
import { decodeJwt, signHs256, verifyHs256 } from './jwt.js';
import type { ProjectDirectory } from './projects.js';

/** What a verified client token grants. */
export interface TokenGrant {
  apiKey: string;
  sessionId: string;
  role: Role;
  /** `connection_data`, '' when absent. */
  data: string;
  /** Seconds since the epoch. */
  expireTime: number;
  initialLayoutClassList: string[];
}

export interface MintTokenOptions {
  apiKey: string;
  apiSecret: string;
  sessionId: string;
  role?: Role;
  data?: string;
  /** Seconds since the epoch; default now + 24 h. */
  expireTime?: number;
  initialLayoutClassList?: string[];
  /** `jwt` (default, like the official SDK) or the legacy `t1` form. */
  format?: 'jwt' | 't1';
  nowSeconds?: number;
}

const MAX_TOKEN_LENGTH = 8192;

/**
 * Mints a client token exactly as the official `opentok` SDK's `generateToken` does, so tokens from
 * `vigil token` and from the SDK are interchangeable.
 */
export function mintClientToken(options: MintTokenOptions): string {
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const role = options.role ?? 'publisher';
  const expireTime = Math.round(options.expireTime ?? now + 86_400);
  if (!isRole(role)) {
    throw new TypeError(`role must be one of subscriber, publisher, publisheronly, moderator`);
  }
  if (options.data !== undefined && options.data.length > MAX_CONNECTION_DATA_LENGTH) {
    throw new TypeError(`data must be at most ${MAX_CONNECTION_DATA_LENGTH} characters`);
  }
  if (expireTime <= now) {
    throw new TypeError('expireTime must be in the future');
  }
  const fields: Record<string, string | number> = {
    session_id: options.sessionId,
    create_time: now,
    nonce: Math.random(),
    role,
    expire_time: expireTime,
  };
  if (options.data) {
    fields['connection_data'] = options.data;
  }
  fields['initial_layout_class_list'] = (options.initialLayoutClassList ?? []).join(' ');
  fields['scope'] = 'session.connect';
  if (options.format === 't1') {
    const data = new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)]))
      .toString()
      .replace(/\+/g, '%20');
    const sig = createHmac('sha1', options.apiSecret).update(data).digest('hex');
    return `T1==${Buffer.from(`partner_id=${options.apiKey}&sig=${sig}:${data}`).toString('base64')}`;
  }
  return signHs256({ iss: options.apiKey, ist: 'project', iat: now, exp: expireTime, ...fields }, options.apiSecret);
}

/**
 * Verifies a client token of either format for joining `sessionId` (opentok-rest.md §6.4).
 * Throws a `VigilError` whose code says exactly what is wrong.
 */
export function verifyClientToken(
  token: string,
  sessionId: string,
  projects: ProjectDirectory,
  nowSeconds: number,
): TokenGrant {
  if (!token) {
    throw new VigilError('TOKEN_MISSING');
  }
  const session = parseSessionId(sessionId);
  if (!session) {
    throw new VigilError('SESSION_ID_INVALID');
  }
  if (!projects.secretFor(session.apiKey)) {
    throw new VigilError('SESSION_ID_INVALID', 'The session id belongs to an API key this server does not know.');
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new VigilError('TOKEN_INVALID', 'The token is too long.');
  }
  const claims = token.startsWith('T1==') ? readT1(token, projects) : readJwt(token, projects);
  if (claims.apiKey !== session.apiKey) {
    throw new VigilError('TOKEN_WRONG_KEY', 'The token was signed for a different API key than the session.');
  }
  if (claims.fields['scope'] !== undefined && claims.fields['scope'] !== 'session.connect') {
    throw new VigilError('TOKEN_INVALID', 'The token is not a session.connect token.');
  }
  if (claims.fields['session_id'] !== sessionId) {
    throw new VigilError('TOKEN_WRONG_SESSION');
  }
  if (!(claims.expiresAt > nowSeconds)) {
    throw new VigilError('TOKEN_EXPIRED');
  }
  const role = claims.fields['role'] ?? 'publisher';
  if (!isRole(role)) {
    throw new VigilError('TOKEN_INVALID', 'The token has an unknown role.');
  }
  const data = claims.fields['connection_data'] ?? '';
  if (typeof data !== 'string' || data.length > MAX_CONNECTION_DATA_LENGTH) {
    throw new VigilError('TOKEN_INVALID', 'The token connection data is not a string of at most 1024 characters.');
  }
  const layout = claims.fields['initial_layout_class_list'] ?? '';
  return {
    apiKey: claims.apiKey,
    sessionId,
    role,
    data,
    expireTime: claims.expiresAt,
    initialLayoutClassList: typeof layout === 'string' ? layout.split(' ').filter(Boolean) : [],
  };
}

interface RawClaims {
  apiKey: string;
  expiresAt: number;
  fields: Record<string, unknown>;
}

function readJwt(token: string, projects: ProjectDirectory): RawClaims {
  const jwt = decodeJwt(token);
  if (!jwt || jwt.header['alg'] !== 'HS256') {
    throw new VigilError('TOKEN_INVALID');
  }
  const secret = projects.secretFor(jwt.payload['iss']);
  if (!secret) {
    throw new VigilError('TOKEN_WRONG_KEY');
  }
  if (!verifyHs256(jwt, secret)) {
    throw new VigilError('TOKEN_INVALID');
  }
  const { payload } = jwt;
  if (payload['ist'] !== 'project' || payload['scope'] !== 'session.connect') {
    throw new VigilError('TOKEN_INVALID', 'The token is not a client token (missing session.connect scope).');
  }
  // `exp` is authoritative: the SDK can emit `expire_time: null` (opentok-rest.md P21).
  const exp = payload['exp'];
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw new VigilError('TOKEN_INVALID', 'The token has no valid expiry.');
  }
  return { apiKey: String(payload['iss']), expiresAt: exp, fields: payload };
}

function readT1(token: string, projects: ProjectDirectory): RawClaims {
  const decoded = Buffer.from(token.slice(4), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    throw new VigilError('TOKEN_INVALID');
  }
  const head = new URLSearchParams(decoded.slice(0, colon));
  const data = decoded.slice(colon + 1);
  const apiKey = head.get('partner_id') ?? '';
  const secret = projects.secretFor(apiKey);
  if (!secret) {
    throw new VigilError('TOKEN_WRONG_KEY');
  }
  const expected = createHmac('sha1', secret).update(data).digest();
  const actual = Buffer.from(head.get('sig') ?? '', 'hex');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new VigilError('TOKEN_INVALID');
  }
  const fields = Object.fromEntries(new URLSearchParams(data));
  const expireText = fields['expire_time'] ?? '';
  if (!/^\d+$/.test(expireText)) {
    throw new VigilError('TOKEN_INVALID', 'The token has no valid expiry.');
  }
  return { apiKey, expiresAt: Number(expireText), fields };
}
