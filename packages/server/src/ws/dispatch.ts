import { VigilError, isVigilError, parseClientMessage, type ClientMessage, type ServerMessage } from '@vigil/protocol';
import { encodeMessage, type Connection } from '../connection.js';
import type { ServerContext } from '../server-context.js';
import { deliverSignal, prepareSignal } from '../signal-relay.js';
import { handleStreamMessage } from '../streams/stream-dispatch.js';
import { handlePushRequest } from '../push/client-requests.js';

/** Messages that are not requests: never rate limited, never de-duplicated. */
const UNLIMITED = new Set(['ping', 'received', 'disconnect']);

/**
 * Handles one inbound frame of an authenticated connection. Every request gets exactly one `ack` or
 * `error`; nothing a client sends can throw out of here.
 */
export function dispatchFrame(ctx: ServerContext, connection: Connection, raw: Buffer | string, isBinary: boolean): void {
  if (isBinary) {
    reply(ctx, connection, errorMessage(new VigilError('MESSAGE_BINARY')));
    return;
  }
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  const parsed = parseClientMessage(text);
  if (!parsed.ok) {
    ctx.log.debug('dispatchFrame() rejected', { connection: connection.id, code: parsed.error.code });
    reply(ctx, connection, errorMessage(parsed.error, parsed.id));
    return;
  }
  const message = parsed.message;
  const id = 'id' in message ? message.id : undefined;
  if (id !== undefined) {
    // Request ids only grow on a connection. A lower or equal id is a request re-sent after a resume
    // that was already processed; its reply is in the replayed frames, so answering again would
    // deliver it twice.
    if (id <= connection.lastRequestId) {
      return;
    }
    connection.lastRequestId = id;
  }
  if (!UNLIMITED.has(message.type) && !connection.limiter.take(ctx.clock.now())) {
    reply(ctx, connection, errorMessage(new VigilError('RATE_LIMITED'), id));
    return;
  }
  try {
    handle(ctx, connection, message);
  } catch (err) {
    const error = isVigilError(err) ? err : new VigilError('INTERNAL');
    if (!isVigilError(err)) {
      ctx.log.error('dispatchFrame() failed', { connection: connection.id, type: message.type, error: String(err) });
    }
    reply(ctx, connection, errorMessage(error, id));
  }
}

function handle(ctx: ServerContext, connection: Connection, message: ClientMessage): void {
  switch (message.type) {
    case 'ping':
      if (message.rx !== undefined) {
        connection.replay.confirm(message.rx);
      }
      reply(ctx, connection, message.t === undefined ? { type: 'pong' } : { type: 'pong', t: message.t });
      return;
    case 'received':
      connection.replay.confirm(message.rx);
      return;
    case 'lifecycle':
      ctx.grace.announce(connection, message.state, message.reason ?? 'app');
      if (message.id !== undefined) {
        reply(ctx, connection, { type: 'ack', id: message.id });
      }
      return;
    case 'signal': {
      const session = ctx.registry.get(connection.sessionId);
      if (!session) {
        throw new VigilError('SESSION_NOT_FOUND');
      }
      // Ack before delivering, so the sender's promise resolves before its own copy arrives.
      const plan = prepareSignal(session, connection, {
        to: message.to,
        signalType: message.signalType,
        data: message.data,
      }, message.id);
      reply(ctx, connection, { type: 'ack', id: message.id });
      ctx.metrics.signals(deliverSignal(ctx.registry, session, plan));
      return;
    }
    case 'forceDisconnect': {
      if (!connection.canModerate) {
        throw new VigilError('NOT_PERMITTED', 'Only a moderator can force a connection out.');
      }
      const session = ctx.registry.get(connection.sessionId);
      const target = session?.connections.get(message.connectionId);
      if (!target) {
        if (session && ctx.registry.kickRemote(session, message.connectionId, 'forceDisconnected')) {
          reply(ctx, connection, { type: 'ack', id: message.id });
          return;
        }
        throw new VigilError('CONNECTION_NOT_FOUND');
      }
      reply(ctx, connection, { type: 'ack', id: message.id });
      ctx.registry.destroy(target, 'forceDisconnected');
      return;
    }
    case 'disconnect':
      if (message.id !== undefined) {
        reply(ctx, connection, { type: 'ack', id: message.id });
      }
      ctx.registry.destroy(connection, 'clientDisconnected');
      return;
    case 'publish':
    case 'unpublish':
    case 'updateStream':
    case 'subscribe':
    case 'unsubscribe':
    case 'updateSubscription':
    case 'sdp':
    case 'ice':
      handleStreamMessage(ctx, connection, message);
      return;
    case 'registerPush':
    case 'signalIdentity':
    case 'invite':
    case 'cancelInvite':
      handlePushRequest(ctx, connection, message);
      return;
    default: {
      const unreachable: never = message;
      throw new VigilError('MESSAGE_UNKNOWN_TYPE', `Unhandled ${String(unreachable)}`);
    }
  }
}

function reply(ctx: ServerContext, connection: Connection, message: ServerMessage): void {
  ctx.registry.sendTo(connection, encodeMessage(message));
}

function errorMessage(error: VigilError, id?: number): ServerMessage {
  return id === undefined ? { type: 'error', ...error.toWire() } : { type: 'error', id, ...error.toWire() };
}
