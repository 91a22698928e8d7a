/** OpenTok's signal limits, which Vigil keeps so apps move over unchanged. Sizes are UTF-8 bytes. */
export const SignalLimits = {
  maxTypeBytes: 128,
  maxDataBytes: 8192,
} as const;

/** Token `connection_data` limit (OpenTok SDK enforces 1024 characters). */
export const MAX_CONNECTION_DATA_LENGTH = 1024;

/**
 * The largest frame the server accepts. A session description is the largest message: up to 64 KiB
 * (`MediaLimits.maxSdpBytes`), which JSON escaping at most doubles (`\r\n`, quotes and backslashes take
 * two bytes each; the other control characters are refused anyway), plus its envelope. A signal (8 KB
 * of data, sixfold at worst as `\u0000`) fits too.
 */
export const MAX_FRAME_BYTES = 160 * 1024;

/** Signal types are restricted like OpenTok's: letters, digits, '-', '_' and '~'. */
export const SIGNAL_TYPE_PATTERN = /^[A-Za-z0-9\-_~]*$/;

const encoder = new TextEncoder();

export function utf8Length(text: string): number {
  // Fast path: ASCII strings are as long in bytes as in UTF-16 code units.
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? text.length : encoder.encode(text).length;
}
