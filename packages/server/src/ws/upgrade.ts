import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, VigilError, isVigilError } from '@vigil/protocol';
import { verifyClientToken, type TokenGrant } from '../client-token.js';
import type { ServerContext } from '../server-context.js';

export const WS_PATH = '/v1/ws';

/**
 * Authenticates a WebSocket upgrade request from its query (`sessionId`, `token`, `protocol`), before
 * any upgrade happens. Throws a `VigilError` the caller answers with an HTTP status.
 */
export function authenticateUpgrade(ctx: ServerContext, req: IncomingMessage): TokenGrant {
  const url = new URL(req.url ?? '/', 'http://vigil.invalid');
  if (url.pathname.replace(/\/+/g, '/') !== WS_PATH) {
    throw new VigilError('NOT_FOUND', `WebSocket endpoint is ${WS_PATH}.`);
  }
  const protocol = Number(url.searchParams.get('protocol') ?? PROTOCOL_VERSION);
  if (!Number.isInteger(protocol) || protocol < MIN_PROTOCOL_VERSION || protocol > PROTOCOL_VERSION) {
    throw new VigilError('PROTOCOL_UNSUPPORTED');
  }
  return verifyClientToken(
    url.searchParams.get('token') ?? '',
    url.searchParams.get('sessionId') ?? '',
    ctx.projects,
    ctx.nowSeconds(),
  );
}

/** Answers a refused upgrade with a plain HTTP response carrying `{code, message}`, then closes. */
export function refuseUpgrade(socket: Duplex, err: unknown): void {
  const error = isVigilError(err) ? err : new VigilError('INTERNAL');
  const body = JSON.stringify(error.toWire());
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${error.status} ${statusText(error.status)}\r\n` +
        'Connection: close\r\nContent-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Vigil-Error: ${error.code}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function statusText(status: number): string {
  const texts: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' };
  return texts[status] ?? 'Error';
}
