import type { IncomingMessage } from 'node:http';
import type { Static, TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { VigilError } from '@vigil/protocol';
import { MAX_BODY_BYTES, readBody } from './respond.js';

export interface JsonBodyOptions {
  /** Bytes; default 64 KiB (an 8 KB signal JSON-escaped at worst still fits). */
  limit?: number;
  /**
   * Called with a parsed body that failed its schema, before the generic `REQUEST_INVALID`: a route
   * throws a more precise error here (a signal's `SIGNAL_DATA_TOO_LONG` is a 413, not a 400).
   */
  refine?: (value: unknown) => void;
}

/**
 * Reads, parses and validates a JSON request body at the boundary; what it returns has passed the
 * compiled checker. An absent body counts as `{}`, which the schema then judges. A body of another
 * content type is refused (415) rather than guessed at: `curl -d` sends form encoding by default, and
 * a clear refusal beats a confusing "data is required".
 */
export async function readJsonBody<T extends TSchema>(
  req: IncomingMessage,
  checker: TypeCheck<T>,
  options: JsonBodyOptions = {},
): Promise<Static<T>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  const limit = options.limit ?? MAX_BODY_BYTES;
  if (declared > limit) {
    throw new VigilError('REQUEST_TOO_LARGE');
  }
  const text = await readBody(req, limit);
  let value: unknown = {};
  if (text.trim() !== '') {
    if (!isJsonContentType(req.headers['content-type'])) {
      throw new VigilError('CONTENT_TYPE_UNSUPPORTED');
    }
    try {
      value = JSON.parse(text);
    } catch {
      throw new VigilError('REQUEST_INVALID', 'The request body is not valid JSON.');
    }
  }
  if (checker.Check(value)) {
    return value;
  }
  options.refine?.(value);
  const first = checker.Errors(value).First();
  const where = first?.path ? `${first.path}: ` : '';
  throw new VigilError('REQUEST_INVALID', `${where}${first?.message ?? 'invalid body'}`.slice(0, 200));
}

/** `application/json`, any case, parameters allowed (`; charset=utf-8`). */
export function isJsonContentType(header: string | undefined): boolean {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
}
