import { verify, type KeyObject } from 'node:crypto';

/** A JWT as the fake providers see it. */
export interface CheckedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/**
 * Decodes a JWT and verifies its signature the way the providers do (ES256 in JOSE r‖s form, or
 * RS256). Returns a reason string instead when anything is wrong. Written independently of the
 * server's signer, so the two check each other.
 */
export function checkJwt(token: string, key: KeyObject, alg: 'ES256' | 'RS256'): CheckedJwt | string {
  const parts = token.split('.');
  if (parts.length !== 3) {
    return 'not a JWT';
  }
  const [h, p, s] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return 'undecodable';
  }
  if (header['alg'] !== alg) {
    return `alg ${String(header['alg'])}, expected ${alg}`;
  }
  const signature = Buffer.from(s, 'base64url');
  if (alg === 'ES256' && signature.length !== 64) {
    return 'ES256 signature is not 64 bytes (DER instead of JOSE?)';
  }
  const ok =
    alg === 'ES256'
      ? verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, signature)
      : verify('sha256', Buffer.from(`${h}.${p}`), key, signature);
  return ok ? { header, claims } : 'bad signature';
}
