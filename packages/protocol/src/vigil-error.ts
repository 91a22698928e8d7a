import { ErrorCodes, isErrorCode, type ErrorCode } from './error-codes.js';

const brand = Symbol.for('vigil.error');
const MAX_MESSAGE_LENGTH = 256;

/** What a `VigilError` looks like on the wire: a stable code and a human message, nothing internal. */
export interface WireError {
  code: ErrorCode;
  message: string;
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

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(clip(message ?? ErrorCodes[code].message), options);
    this.code = code;
    this.status = ErrorCodes[code].status;
  }

  toWire(): WireError {
    return { code: this.code, message: this.message };
  }

  /** Rebuilds an error received from the other side; unknown codes become `INTERNAL`. */
  static fromWire(wire: { code?: unknown; message?: unknown }): VigilError {
    const code = isErrorCode(wire.code) ? wire.code : 'INTERNAL';
    return new VigilError(code, typeof wire.message === 'string' ? wire.message : undefined);
  }
}

/** Works across bundle copies (React Native, two script tags), where `instanceof` does not. */
export function isVigilError(value: unknown): value is VigilError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

function clip(message: string): string {
  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : message;
}
