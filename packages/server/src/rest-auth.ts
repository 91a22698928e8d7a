import { VigilError } from '@vigil/protocol';
import { decodeJwt, signHs256, verifyHs256 } from './jwt.js';
import type { ProjectDirectory } from './projects.js';

const LEEWAY_S = 60;
const MAX_LIFETIME_S = 300;

/**
 * Verifies an `X-OPENTOK-AUTH` project JWT (opentok-rest.md §3) and returns the API key it speaks for.
 * `pathApiKey` is the key in `/v2/project/{key}/…`, absent for `/session/create`.
 * No replay cache: the SDK sends byte-identical JWTs within one second (P12).
 */
export function verifyProjectJwt(
  header: string | undefined,
  projects: ProjectDirectory,
  nowSeconds: number,
  pathApiKey?: string,
): string {
  if (!header) {
    throw new VigilError('AUTH_FAILED', 'Missing X-OPENTOK-AUTH header.');
  }
  const jwt = decodeJwt(header);
  if (!jwt || jwt.header['alg'] !== 'HS256') {
    throw new VigilError('AUTH_FAILED', 'X-OPENTOK-AUTH is not an HS256 JWT.');
  }
  const { payload } = jwt;
  const apiKey = payload['iss'];
  const secret = projects.secretFor(apiKey);
  if (typeof apiKey !== 'string' || !secret || (pathApiKey !== undefined && apiKey !== pathApiKey)) {
    throw new VigilError('AUTH_FAILED', 'Unknown API key.');
  }
  if (!verifyHs256(jwt, secret)) {
    throw new VigilError('AUTH_FAILED', 'Invalid signature.');
  }
  // Client tokens are signed with the same secret; they must never work as admin credentials (P13).
  if ('scope' in payload || 'session_id' in payload || payload['ist'] !== 'project') {
    throw new VigilError('AUTH_FAILED', 'Not a project credential.');
  }
  const { iat, exp } = payload;
  if (typeof iat !== 'number' || typeof exp !== 'number') {
    throw new VigilError('AUTH_FAILED', 'The credential needs numeric iat and exp.');
  }
  if (exp <= nowSeconds - LEEWAY_S || iat > nowSeconds + LEEWAY_S || exp - iat > MAX_LIFETIME_S + LEEWAY_S) {
    throw new VigilError('AUTH_FAILED', 'The credential is expired or too long-lived.');
  }
  return apiKey;
}

/** Mints a REST credential the way the official SDK does; for Vigil's CLI and tests. */
export function mintProjectJwt(apiKey: string, apiSecret: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  return signHs256({ iss: apiKey, ist: 'project', iat: nowSeconds, exp: nowSeconds + MAX_LIFETIME_S }, apiSecret);
}
