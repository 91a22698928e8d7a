import { IDENTITY_PATTERN } from '@vigil/protocol';
import type { Connection } from '../connection.js';

/**
 * The identity a client token names in its connection data, if any: `identity=alice` among
 * `&`-, `,`- or `;`-separated `key=value` pairs (`name=Ann&identity=alice`), or an `identity` string
 * in a JSON object. The app server signs the token, so this identity is trusted; one a client claims
 * when registering is checked against it.
 */
export function identityFromConnectionData(data: string): string | undefined {
  const text = data.trim();
  let value: unknown;
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      value = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['identity'] : undefined;
    } catch {
      return undefined;
    }
  } else {
    for (const pair of text.split(/[&,;]/)) {
      const at = pair.indexOf('=');
      if (at > 0 && pair.slice(0, at).trim() === 'identity') {
        value = safeDecode(pair.slice(at + 1).trim());
        break;
      }
    }
  }
  return typeof value === 'string' && IDENTITY_PATTERN.test(value) ? value : undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Which connections belong to which identity, per session. Kept beside the registry, not in it. */
export class IdentityIndex {
  readonly #byConnection = new Map<Connection, string>();
  /** `sessionId \0 identity` → its connections. */
  readonly #byIdentity = new Map<string, Set<Connection>>();

  get(connection: Connection): string | undefined {
    return this.#byConnection.get(connection);
  }

  /** Gives the connection an identity (replacing the one it had). Returns true if it changed. */
  set(connection: Connection, identity: string): boolean {
    if (this.#byConnection.get(connection) === identity) {
      return false;
    }
    this.delete(connection);
    this.#byConnection.set(connection, identity);
    const indexKey = `${connection.sessionId}\0${identity}`;
    const set = this.#byIdentity.get(indexKey) ?? new Set();
    set.add(connection);
    this.#byIdentity.set(indexKey, set);
    return true;
  }

  /** The identity's connections in the session, in join order, destroyed ones left out. */
  connections(sessionId: string, identity: string): Connection[] {
    const set = this.#byIdentity.get(`${sessionId}\0${identity}`);
    return set ? [...set].filter((connection) => !connection.destroyedReason) : [];
  }

  delete(connection: Connection): void {
    const identity = this.#byConnection.get(connection);
    if (identity === undefined) {
      return;
    }
    this.#byConnection.delete(connection);
    const indexKey = `${connection.sessionId}\0${identity}`;
    const set = this.#byIdentity.get(indexKey);
    set?.delete(connection);
    if (set?.size === 0) {
      this.#byIdentity.delete(indexKey);
    }
  }
}
