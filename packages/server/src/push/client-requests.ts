import { VigilError, isVigilError, parseSessionId, type PushClientMessage, type ServerMessage } from '@vigil/protocol';
import { encodeMessage, type Connection } from '../connection.js';
import type { ServerContext } from '../server-context.js';

/** The client message types handled here (see `push-messages.ts`). */
export const PUSH_MESSAGE_TYPES: ReadonlySet<string> = new Set(['registerPush', 'signalIdentity', 'invite', 'cancelInvite']);

/**
 * Handles a push request from a client: registration, identity signal, invite, cancellation. They
 * touch async stores, so each is answered with exactly one `ack` or `error` when it is done.
 */
export function handlePushRequest(ctx: ServerContext, connection: Connection, message: PushClientMessage): void {
  void run(ctx, connection, message).then(
    () => reply(ctx, connection, { type: 'ack', id: message.id }),
    (err: unknown) => {
      if (!isVigilError(err)) {
        ctx.log.error('push request failed', { connection: connection.id, type: message.type, error: String(err) });
      }
      const error = isVigilError(err) ? err : new VigilError('INTERNAL');
      reply(ctx, connection, { type: 'error', id: message.id, ...error.toWire() });
    },
  );
}

async function run(ctx: ServerContext, connection: Connection, message: PushClientMessage): Promise<void> {
  const { push } = ctx;
  switch (message.type) {
    case 'registerPush': {
      const apiKey = parseSessionId(connection.sessionId)?.apiKey ?? '';
      await push.register(apiKey, { identity: message.identity, kind: message.kind, token: message.token, subscription: message.subscription, topic: message.topic }, connection);
      return;
    }
    case 'signalIdentity':
      await push.signalIdentity(connection.sessionId, connection, message.identity, message.signalType ?? '', message.data);
      return;
    case 'invite': {
      const input: { inviteId: string; identity: string; data?: string; ttlMs?: number } = { inviteId: message.inviteId, identity: message.identity };
      if (message.data !== undefined) {
        input.data = message.data;
      }
      if (message.ttlMs !== undefined) {
        input.ttlMs = message.ttlMs;
      }
      await push.invite(connection.sessionId, connection, input);
      return;
    }
    case 'cancelInvite':
      await push.cancelInvite(connection.sessionId, connection, message.inviteId);
      return;
  }
}

function reply(ctx: ServerContext, connection: Connection, message: ServerMessage): void {
  ctx.registry.sendTo(connection, encodeMessage(message));
}
