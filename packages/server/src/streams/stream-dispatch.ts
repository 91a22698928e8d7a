import type { ClientMessage } from '@vigil/protocol';
import type { Connection } from '../connection.js';
import type { ServerContext } from '../server-context.js';
import { handleIce, handleSdp } from './signaling.js';
import { updateStream, updateSubscription } from './stream-updates.js';

/** The client messages about streams (publish, subscribe, offers and answers, candidates). */
export type StreamClientMessage = Extract<
  ClientMessage,
  { type: 'publish' | 'unpublish' | 'updateStream' | 'subscribe' | 'unsubscribe' | 'updateSubscription' | 'sdp' | 'ice' }
>;

/**
 * Entry point from `dispatch.ts`. A `VigilError` thrown here becomes the request's error reply;
 * asynchronous work (routed negotiation) replies on its own.
 */
export function handleStreamMessage(ctx: ServerContext, connection: Connection, message: StreamClientMessage): void {
  const streams = ctx.streams;
  switch (message.type) {
    case 'publish':
      streams.publish(connection, message);
      return;
    case 'unpublish':
      streams.unpublish(connection, message);
      return;
    case 'updateStream':
      updateStream(streams, connection, message);
      return;
    case 'subscribe':
      streams.subscribe(connection, message);
      return;
    case 'unsubscribe':
      streams.unsubscribe(connection, message);
      return;
    case 'updateSubscription':
      updateSubscription(streams, connection, message);
      return;
    case 'sdp':
      handleSdp(streams, connection, message);
      return;
    case 'ice':
      handleIce(streams, connection, message);
      return;
    default: {
      const unreachable: never = message;
      throw new Error(`unhandled ${String(unreachable)}`);
    }
  }
}
