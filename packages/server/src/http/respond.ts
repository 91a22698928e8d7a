import type { IncomingMessage, ServerResponse } from 'node:http';
import { VigilError, isVigilError } from '@vigil/protocol';
import type { Logger } from '../logger.js';

/** Writes a JSON body. The content type is exactly `application/json`, which the OpenTok SDK requires (P5). */
export function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json; charset=utf-8'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/**
 * Writes an error as `{code, message}`, never an empty body (an empty JSON error body crashes the
 * OpenTok SDK's caller, P1). Anything that is not a `VigilError` is logged and sent as `INTERNAL`.
 */
export function sendError(res: ServerResponse, err: unknown, log: Logger): void {
  const error = isVigilError(err) ? err : new VigilError('INTERNAL');
  if (!isVigilError(err)) {
    log.error('http request failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.status, error.toWire());
}

export const MAX_BODY_BYTES = 64 * 1024;

/** Reads a request body up to `limit` bytes; past it, `REQUEST_TOO_LARGE`. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      throw new VigilError('REQUEST_TOO_LARGE');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a body by its content type: JSON objects or form fields, as a flat record. */
export function parseBody(text: string, contentType: string | undefined): Record<string, unknown> {
  if (text.trim() === '') {
    return {};
  }
  const base = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (base === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new VigilError('REQUEST_INVALID', 'The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VigilError('REQUEST_INVALID', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}
