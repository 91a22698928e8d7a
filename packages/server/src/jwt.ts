import { createHmac, timingSafeEqual } from 'node:crypto';

// HS256 JWTs, the only algorithm OpenTok's SDK uses for REST credentials and client tokens.

export function base64UrlEncode(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

export function signHs256(payload: Record<string, unknown>, secret: string): string {
  const head = base64UrlEncode(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64UrlEncode(JSON.stringify(payload));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: string;
}

/** Splits and decodes a JWT without verifying it; `undefined` when it is not a well-formed JWT. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) {
    return undefined;
  }
  const [h, p, s] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(h) || !/^[A-Za-z0-9_-]+$/.test(p) || !/^[A-Za-z0-9_-]*$/.test(s)) {
    return undefined;
  }
  const header = parseJsonObject(Buffer.from(h, 'base64url').toString('utf8'));
  const payload = parseJsonObject(Buffer.from(p, 'base64url').toString('utf8'));
  if (!header || !payload) {
    return undefined;
  }
  return { header, payload, signingInput: `${h}.${p}`, signature: s };
}

/** Constant-time check of an HS256 signature. */
export function verifyHs256(jwt: DecodedJwt, secret: string): boolean {
  if (jwt.header['alg'] !== 'HS256') {
    return false;
  }
  const expected = createHmac('sha256', secret).update(jwt.signingInput).digest();
  const actual = Buffer.from(jwt.signature, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
