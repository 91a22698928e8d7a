import type { Connection } from './connection.js';

/**
 * Delivers frames to a connection. Every frame is numbered and kept in the connection's replay buffer
 * until the client confirms it, so a socket that dies with frames in flight, or a client that is away,
 * loses nothing within the grace. Memory stays bounded: a connected reader that falls more than the
 * cap behind is reported through `onOverflow` (the server treats it as silent), and while a client is
 * away the oldest signals make room for newer frames, counted as dropped.
 */
export class Outbox {
  /** Called when a connected reader's unconfirmed frames exceed the cap. */
  onOverflow: (connection: Connection) => void = () => {};

  send(connection: Connection, bytes: Buffer, droppable = false): boolean {
    if (connection.destroyedReason) {
      return false;
    }
    const { replay } = connection;
    if (!connection.away && replay.wouldOverflow(bytes.length)) {
      this.onOverflow(connection);
    }
    if (connection.away || !connection.socket) {
      if (!replay.makeRoom(bytes.length) && droppable) {
        return false;
      }
      replay.push(bytes, droppable);
      return true;
    }
    replay.push(bytes, droppable);
    if (connection.socket.readyState === 1 /* OPEN */) {
      connection.socket.send(bytes, { binary: false });
    }
    return true;
  }
}
