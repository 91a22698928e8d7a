import { randomId } from './ids.js';

/** OpenTok's two media modes. `relayed` is peer-to-peer; `routed` goes through the server. */
export const MediaModes = { relayed: 'relayed', routed: 'routed' } as const;
export type MediaMode = (typeof MediaModes)[keyof typeof MediaModes];

/** What a session id carries. The server keeps no other record it needs to accept a connection. */
export interface SessionIdFields {
  apiKey: string;
  location: string;
  createdAtMs: number;
  random: string;
  mediaMode: MediaMode;
}

const MAX_SESSION_ID_LENGTH = 255;
const SESSION_ID_PATTERN = /^[12]_[A-Za-z0-9_-]+$/;

/**
 * Mints a session id in OpenTok's format, which the official SDK's `generateToken` decodes:
 * `"1_" + base64url("1~<apiKey>~<location>~<createdAtMs>~<random>~<flags>")`. The last field is ours:
 * `R` for routed, `P` for relayed (peer-to-peer).
 */
export function createSessionId(options: {
  apiKey: string;
  mediaMode?: MediaMode;
  location?: string;
  nowMs?: number;
}): string {
  const { apiKey, mediaMode = 'relayed', location = '', nowMs = Date.now() } = options;
  if (!/^[A-Za-z0-9_-]+$/.test(apiKey)) {
    throw new TypeError('apiKey must be URL-path-safe ([A-Za-z0-9_-])');
  }
  if (location.includes('~')) {
    throw new TypeError('location must not contain "~"');
  }
  const flags = mediaMode === 'routed' ? 'R' : 'P';
  const raw = `1~${apiKey}~${location}~${nowMs}~${randomId(22)}~${flags}`;
  return `1_${base64UrlEncodeAscii(raw)}`;
}

/**
 * Decodes a session id, or returns `undefined` when it is not one Vigil could have minted. Stricter than
 * the SDK (which only checks the key field): the server must refuse malformed ids itself.
 */
export function parseSessionId(sessionId: string): SessionIdFields | undefined {
  if (sessionId.length > MAX_SESSION_ID_LENGTH || !SESSION_ID_PATTERN.test(sessionId)) {
    return undefined;
  }
  let raw: string;
  try {
    raw = atob(sessionId.slice(2).replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return undefined;
  }
  const fields = raw.split('~');
  const [version, apiKey, location, created, random, flags] = fields;
  if (fields.length !== 6 || version !== '1' || !apiKey || created === undefined || !random) {
    return undefined;
  }
  const createdAtMs = Number(created);
  if (!Number.isSafeInteger(createdAtMs) || !/^[A-Za-z0-9_-]+$/.test(random) || location === undefined) {
    return undefined;
  }
  const mediaMode: MediaMode | undefined = flags === 'R' ? 'routed' : flags === 'P' ? 'relayed' : undefined;
  if (!mediaMode) {
    return undefined;
  }
  return { apiKey, location, createdAtMs, random, mediaMode };
}

function base64UrlEncodeAscii(text: string): string {
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
