import type { WebSocket } from 'ws';
import { PROTOCOL_VERSION, closeCodeForReason, parseSessionId, randomId, type DisconnectReason, type DisconnectedMessage, type WelcomeMessage } from '@vigil/protocol';
import type { TokenGrant } from '../client-token.js';
import { Connection, encodeMessage } from '../connection.js';
import { RateLimiter, type RateLimit } from '../rate-limiter.js';
import type { ServerContext } from '../server-context.js';
import { dispatchFrame } from './dispatch.js';

export interface AttachOptions {
  rateLimit: RateLimit;
  maxReplayBytes: number;
  /** What the client's previous connection had processed, when this connect replaces it. */
  previous?: { connectionId: string; lastRequestId: number } | undefined;
}

/**
 * Turns an authenticated socket into a new session member: welcome (who you are, who is here, the
 * timers, the resume token), presence for the others, dispatch and liveness.
 */
export function attachNewConnection(ctx: ServerContext, socket: WebSocket, grant: TokenGrant, options: AttachOptions): Connection {
  const nowMs = ctx.clock.now();
  const connection = new Connection({
    id: randomId(),
    sessionId: grant.sessionId,
    role: grant.role,
    data: grant.data,
    nowMs,
    socket,
    limiter: new RateLimiter(options.rateLimit, nowMs),
    maxReplayBytes: options.maxReplayBytes,
  });
  connection.initialLayoutClassList = grant.initialLayoutClassList;
  const mediaMode = parseSessionId(grant.sessionId)?.mediaMode ?? 'relayed';
  const existing = ctx.registry.join(connection, mediaMode);
  const welcome: WelcomeMessage = {
    type: 'welcome',
    protocol: PROTOCOL_VERSION,
    sessionId: grant.sessionId,
    mediaMode,
    connection: connection.info(),
    connections: existing,
    timers: ctx.timers,
    iceServers: ctx.streams.iceServers,
    streams: ctx.streams.welcomeStreams(grant.sessionId),
    resumeToken: connection.resumeToken,
  };
  if (options.previous) {
    welcome.previous = options.previous;
  }
  // The welcome is not numbered: frame counting for resume starts after it.
  socket.send(encodeMessage(welcome), { binary: false });
  const session = ctx.registry.get(grant.sessionId);
  if (session && ctx.streams.forceMute.state(session)) {
    // Joining while the app server's mute-all is on: told at once, as members were when it began.
    ctx.registry.sendTo(connection, encodeMessage({ type: 'muteForced', active: true }));
  }
  ctx.liveness.watch(connection);
  bindSocket(ctx, connection, socket);
  return connection;
}

/** Gives an existing connection its new socket after a resume (the token was checked by the caller). */
export function attachResumedConnection(ctx: ServerContext, socket: WebSocket, connection: Connection, rx: number): void {
  ctx.grace.resume(connection, socket, rx);
  bindSocket(ctx, connection, socket);
}

function bindSocket(ctx: ServerContext, connection: Connection, socket: WebSocket): void {
  let violated = false;
  socket.on('message', (raw, isBinary) => {
    if (connection.destroyedReason || connection.socket !== socket) {
      return;
    }
    ctx.liveness.heard(connection);
    dispatchFrame(ctx, connection, raw as Buffer, isBinary);
  });
  socket.on('close', () => {
    if (connection.socket !== socket) {
      return; // replaced by a resumed socket, or already detached
    }
    if (violated) {
      // The server cut it for breaking the protocol (oversize frame, bad UTF-8, bad framing).
      ctx.registry.destroy(connection, 'forceDisconnected');
    } else {
      ctx.grace.goAway(connection, 'socketClosed');
    }
  });
  socket.on('error', (err: Error & { code?: string }) => {
    violated = err.code?.startsWith('WS_ERR_') ?? false;
    ctx.log.warn('socket error', { connection: connection.id, code: err.code ?? 'unknown', error: err.message });
  });
}

/** Tells the client why it is being removed, then closes its socket with the matching code. */
export function closeForReason(connection: Connection, reason: DisconnectReason, retryAfterMs?: number, rejoin = false): void {
  const socket = connection.socket;
  connection.socket = undefined;
  if (!socket || socket.readyState > 1) {
    return;
  }
  if (socket.readyState === 1) {
    const message: DisconnectedMessage = { type: 'disconnected', reason };
    if (retryAfterMs !== undefined) {
      message.retryAfterMs = retryAfterMs;
    }
    if (rejoin) {
      message.rejoin = true;
    }
    socket.send(encodeMessage(message), { binary: false });
  }
  socket.close(closeCodeForReason(reason), reason);
  // A client that never completes the closing handshake must not hold the socket forever.
  setTimeout(() => socket.terminate(), 2_000).unref();
}
