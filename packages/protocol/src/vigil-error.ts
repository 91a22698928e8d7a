import { ErrorCodes, isErrorCode, type ErrorCode } from './error-codes.js';

const brand = Symbol.for('vigil.error');
const MAX_MESSAGE_LENGTH = 256;

/** What a `VigilError` looks like on the wire: a stable code and a human message, nothing internal. */
export interface WireError {
  code: ErrorCode;
  message: string;
  /** `SESSION_ELSEWHERE`: the base URL of the node that serves the session. */
  redirect?: string;
}

/**
 * The one error class of Vigil. `code` is stable and documented in `docs/errors.md`; `message` is for
 * people and may change. Internal details go in `cause` and never leave the server's log.
 */
export class VigilError extends Error {
  override readonly name = 'VigilError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly [brand] = true;

  /** Where to go instead (`SESSION_ELSEWHERE`): an `http(s)://` base URL. */
  readonly redirect: string | undefined;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; redirect?: string }) {
    super(clip(message ?? ErrorCodes[code].message), options);
    this.code = code;
    this.status = ErrorCodes[code].status;
    this.redirect = options?.redirect !== undefined && isBaseUrl(options.redirect) ? options.redirect : undefined;
  }

  toWire(): WireError {
    return this.redirect === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, redirect: this.redirect };
  }

  /** Rebuilds an error received from the other side; unknown codes become `INTERNAL`. */
  static fromWire(wire: { code?: unknown; message?: unknown; redirect?: unknown }): VigilError {
    const code = isErrorCode(wire.code) ? wire.code : 'INTERNAL';
    const redirect = typeof wire.redirect === 'string' ? wire.redirect : undefined;
    return new VigilError(code, typeof wire.message === 'string' ? wire.message : undefined, redirect === undefined ? undefined : { redirect });
  }
}

/** Works across bundle copies (React Native, two script tags), where `instanceof` does not. */
export function isVigilError(value: unknown): value is VigilError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** An `http(s)://host[:port]` URL with nothing after the authority: what a redirect or a node's public URL must be. */
export function isBaseUrl(value: string): boolean {
  return value.length <= 2_048 && /^https?:\/\/[^\s/?#]+$/.test(value);
}

function clip(message: string): string {
  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : message;
}
