import { VigilError, isVigilError, type ServerMessage } from '@vigil/protocol';
import { encodeMessage, type Connection } from '../connection.js';
import type { Logger } from '../logger.js';
import type { Session, SessionRegistry } from '../session-registry.js';
import type { ServerStream } from './server-stream.js';

/**
 * How the stream code talks to clients: through the registry's outbox, so stream events are numbered,
 * confirmed and replayed after a resume like every other frame.
 */
export class StreamMessaging {
  readonly #registry: SessionRegistry;
  readonly #log: Logger;

  constructor(registry: SessionRegistry, log: Logger) {
    this.#registry = registry;
    this.#log = log;
  }

  send(connection: Connection, message: ServerMessage): void {
    this.#registry.sendTo(connection, encodeMessage(message));
  }

  ack(connection: Connection, id: number | undefined): void {
    if (id !== undefined) {
      this.send(connection, { type: 'ack', id });
    }
  }

  /** To every member on this node (the moderator's per-node `muteForced`). */
  broadcast(session: Session, message: ServerMessage): void {
    this.#registry.broadcastLocal(session, encodeMessage(message));
  }

  /**
   * A stream event, to every member on every node (the publisher included); `stream` is the stream's
   * new state, or its id once it ended.
   */
  broadcastStream(session: Session, stream: ServerStream, message: ServerMessage): void {
    this.#registry.broadcastStream(session, encodeMessage(message), session.streams.get(stream.id) === stream ? stream.info() : stream.id);
  }

  /**
   * Runs the asynchronous part of a request (the media engine's negotiation). Its failure becomes the
   * request's one `error` reply; `cleanup` undoes what the synchronous part reserved.
   */
  run(connection: Connection, id: number | undefined, task: () => Promise<void>, cleanup?: () => void): void {
    task().catch((err: unknown) => {
      cleanup?.();
      const error = isVigilError(err) ? err : new VigilError('INTERNAL');
      if (!isVigilError(err)) {
        this.#log.error('stream request failed', { connection: connection.id, error: String(err) });
      }
      this.send(connection, id === undefined ? { type: 'error', ...error.toWire() } : { type: 'error', id, ...error.toWire() });
    });
  }
}
