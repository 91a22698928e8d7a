import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { VigilError, type ErrorCode } from '@vigil/protocol';

/**
 * Answers requests Node's HTTP parser rejects before any handler runs (headers over the size limit, a
 * malformed request line) with the same `{code, message}` JSON as every other error, instead of Node's
 * bodiless default, then closes the socket: after a parse error the stream cannot be trusted.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  // As Node's own default does: never write into a response already on its way (`_httpMessage` is
  // the socket's in-flight response), or the peer would read our bytes as part of it.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  // A request that stalled past `requestTimeout` is dropped too: its sender is not reading answers.
  if (err.code === 'ECONNRESET' || err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const code: ErrorCode = err.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : 'REQUEST_INVALID';
  const error = new VigilError(code, code === 'REQUEST_INVALID' ? 'The HTTP request is malformed.' : undefined);
  // A HEAD answer has no body; the request line is usually at the start of the packet that failed.
  const isHead = (err as { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
  const body = isHead ? '' : JSON.stringify(error.toWire());
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
