import type { WebSocket } from 'ws';
import { PROTOCOL_VERSION, closeCodeForReason, parseSessionId, randomId, type DisconnectReason } from '@vigil/protocol';
import type { TokenGrant } from '../client-token.js';
import { Connection, encodeMessage } from '../connection.js';
import { RateLimiter, type RateLimit } from '../rate-limiter.js';
import type { ServerContext } from '../server-context.js';
import { dispatchFrame } from './dispatch.js';

/**
 * Turns an authenticated socket into a session member: welcome (who you are, who is here, timers),
 * presence for the others, message dispatch, liveness, and exactly one exit.
 */
export function attachSocket(ctx: ServerContext, socket: WebSocket, grant: TokenGrant, rateLimit: RateLimit): Connection {
  const nowMs = ctx.clock.now();
  const connection = new Connection({
    id: randomId(),
    sessionId: grant.sessionId,
    role: grant.role,
    data: grant.data,
    nowMs,
    socket,
    limiter: new RateLimiter(rateLimit, nowMs),
  });
  const mediaMode = parseSessionId(grant.sessionId)?.mediaMode ?? 'relayed';
  const existing = ctx.registry.join(connection, mediaMode);
  ctx.registry.sendTo(
    connection,
    encodeMessage({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      sessionId: grant.sessionId,
      mediaMode,
      connection: connection.info(),
      connections: existing.map((c) => c.info()),
      timers: ctx.timers,
    }),
  );
  ctx.liveness.watch(connection);
  const dispatch = { registry: ctx.registry, log: ctx.log, now: () => ctx.clock.now() };

  socket.on('message', (raw, isBinary) => {
    if (connection.destroyedReason) {
      return;
    }
    ctx.liveness.heard(connection);
    dispatchFrame(dispatch, connection, raw as Buffer, isBinary);
  });
  let violated = false;
  socket.on('close', () => {
    // A socket that closes without `disconnect` left unannounced, unless the server cut it for
    // breaking the protocol (oversize frame, bad UTF-8, bad framing).
    const reason: DisconnectReason = violated ? 'forceDisconnected' : 'networkDisconnected';
    ctx.registry.destroy(connection, reason);
  });
  socket.on('error', (err: Error & { code?: string }) => {
    violated = err.code?.startsWith('WS_ERR_') ?? false;
    ctx.log.warn('socket error', { connection: connection.id, code: err.code ?? 'unknown', error: err.message });
  });
  return connection;
}

/** Tells the client why it is being removed, then closes its socket with the matching code. */
export function closeForReason(connection: Connection, reason: DisconnectReason, retryAfterMs?: number): void {
  const socket = connection.socket;
  connection.socket = undefined;
  if (!socket || socket.readyState > 1) {
    return;
  }
  if (socket.readyState === 1) {
    const message = retryAfterMs === undefined ? { type: 'disconnected' as const, reason } : { type: 'disconnected' as const, reason, retryAfterMs };
    socket.send(encodeMessage(message), { binary: false });
  }
  socket.close(closeCodeForReason(reason), reason);
  // A client that never completes the closing handshake must not hold the socket forever.
  setTimeout(() => socket.terminate(), 2_000).unref();
}
