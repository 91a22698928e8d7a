import type { WebSocket } from 'ws';
import { CloseCodes, type AnnouncedState, type ConnectionState } from '@vigil/protocol';
import { encodeMessage, type Connection } from './connection.js';
import type { ServerContext } from './server-context.js';

/** Why the server stopped hearing a client. */
export type AwayCause = 'silent' | 'socketClosed' | 'overflow';

/**
 * Suspension grace and resume (lifecycle.md rule 6). A client the server cannot hear is not destroyed
 * at once: it becomes `suspended` (if it announced `background` first) or `reconnecting`, peers are
 * told, and it keeps its id, streams and a buffer of what was sent to it. A new socket presenting the
 * resume token inside the grace takes the connection over; past the grace it is destroyed once, with
 * reason `suspended` or `networkDisconnected`. The grace counts from the last time the client was heard.
 */
type GraceContext = Pick<ServerContext, 'registry' | 'liveness' | 'clock' | 'timers' | 'log' | 'timeline' | 'metrics'>;

export class ConnectionGrace {
  readonly #ctx: GraceContext;

  constructor(ctx: GraceContext) {
    this.#ctx = ctx;
  }

  goAway(connection: Connection, cause: AwayCause): void {
    if (connection.destroyedReason || connection.away) {
      return;
    }
    const { clock, timers, liveness, log } = this.#ctx;
    liveness.stop(connection);
    const socket = connection.socket;
    connection.socket = undefined;
    if (socket && socket.readyState <= 1) {
      // A zombie socket (frozen client, dead link) must not deliver anything later out of order.
      socket.removeAllListeners('message');
      socket.close(CloseCodes.networkDisconnected, 'silent');
      setTimeout(() => socket.terminate(), 1_000).unref();
    }
    const suspended = connection.announced === 'background';
    const state: ConnectionState = suspended ? 'suspended' : 'reconnecting';
    this.#setState(connection, state, cause);
    const graceMs = suspended ? timers.suspendGraceMs : timers.networkGraceMs;
    const remaining = Math.max(0, connection.lastHeardAt + graceMs - clock.now());
    this.#ctx.metrics.wentAway(state);
    log.info('goAway()', { connection: connection.id, state, cause, graceLeftMs: remaining });
    connection.graceTimer = clock.setTimeout(() => {
      connection.graceTimer = undefined;
      this.#ctx.registry.destroy(connection, suspended ? 'suspended' : 'networkDisconnected');
    }, remaining);
  }

  /**
   * Puts `socket` in place of the connection's old one and replays every frame after `rx`. The caller
   * has checked the resume token. A connection that is still "active" (its old socket not yet known to
   * be dead) is taken over too: the client knows better than the server that the old socket is gone.
   */
  resume(connection: Connection, socket: WebSocket, rx: number): void {
    const { clock, liveness, log } = this.#ctx;
    if (connection.graceTimer !== undefined) {
      clock.clearTimeout(connection.graceTimer);
      connection.graceTimer = undefined;
    }
    liveness.stop(connection);
    const old = connection.socket;
    if (old && old !== socket) {
      old.removeAllListeners('message');
      old.removeAllListeners('close');
      old.close(CloseCodes.networkDisconnected, 'replaced');
      setTimeout(() => old.terminate(), 1_000).unref();
    }
    connection.socket = socket;
    const wasAway = connection.away;
    // Confirm what the client says it has; replay the rest, then what waited while it was away.
    const pending = connection.replay.takeReplay(Math.min(rx, connection.replay.seq));
    const dropped = connection.replay.takeDropped();
    socket.send(
      encodeMessage({
        type: 'resumed',
        connectionId: connection.id,
        lastRequestId: connection.lastRequestId,
        replayed: pending.length,
        dropped,
      }),
      { binary: false },
    );
    for (const entry of pending) {
      socket.send(entry.bytes, { binary: false });
    }
    liveness.watch(connection);
    if (wasAway || connection.state !== connection.announced) {
      this.#setState(connection, connection.announced, 'resumed');
    }
    if (dropped > 0) {
      // A numbered frame like any other, so it is replayed too if this socket dies as well.
      this.#ctx.registry.sendTo(connection, encodeMessage({ type: 'signalsDropped', count: dropped }));
    }
    this.#ctx.metrics.resumed();
    log.info('resume()', { connection: connection.id, replayed: pending.length, dropped });
  }

  /** The client announced its own state (`lifecycle` message). */
  announce(connection: Connection, state: AnnouncedState, reason: string): void {
    connection.announced = state;
    if (!connection.away && connection.state !== state) {
      this.#setState(connection, state, reason);
    } else if (!connection.away) {
      this.#ctx.timeline.record(connection, state, reason);
    }
  }

  /**
   * A connection just handed over from another node, its new socket not attached yet: away here
   * (silently — peers' view changes only when it resumes), with a full grace in case it never is.
   */
  adopted(connection: Connection): void {
    const { clock, timers } = this.#ctx;
    const suspended = connection.announced === 'background';
    connection.state = suspended ? 'suspended' : 'reconnecting';
    connection.lastHeardAt = clock.now();
    connection.graceTimer = clock.setTimeout(() => {
      connection.graceTimer = undefined;
      this.#ctx.registry.destroy(connection, suspended ? 'suspended' : 'networkDisconnected');
    }, suspended ? timers.suspendGraceMs : timers.networkGraceMs);
  }

  /** Stops the grace timer of a connection being destroyed for another reason. */
  cancel(connection: Connection): void {
    if (connection.graceTimer !== undefined) {
      this.#ctx.clock.clearTimeout(connection.graceTimer);
      connection.graceTimer = undefined;
    }
  }

  #setState(connection: Connection, state: ConnectionState, reason: string): void {
    connection.state = state;
    this.#ctx.timeline.record(connection, state, reason);
    this.#ctx.registry.stateChanged(connection, encodeMessage({ type: 'connectionStateChanged', connectionId: connection.id, state, reason }));
  }
}
