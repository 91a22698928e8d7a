import { sign, type KeyObject } from 'node:crypto';

/**
 * Signs a JWT with an asymmetric key: ES256 (APNs provider tokens, VAPID) or RS256 (Google service
 * accounts). ES256 signatures are the raw 64-byte r‖s JOSE form, not DER.
 */
export function signJwt(header: { alg: 'ES256' | 'RS256' } & Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature =
    header.alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}
