import type { Connection } from './connection.js';

/**
 * Delivers frames to a connection through its replay buffer, so a socket that dies with frames in
 * flight, or a client that is away, loses nothing within the grace. Memory stays bounded: a connected
 * reader whose unconfirmed frames pass the cap is reported through `onOverflow` (the server treats it as
 * silent), and a client that is away gets its oldest signals dropped, counted, when the cap is reached.
 */
export class Outbox {
  /** Called when a connected reader's unconfirmed frames exceed the cap. */
  onOverflow: (connection: Connection) => void = () => {};

  /** Returns false when the frame was not delivered nor kept (destroyed, or a dropped signal). */
  send(connection: Connection, bytes: Buffer, droppable = false): boolean {
    if (connection.destroyedReason) {
      return false;
    }
    if (!connection.away && connection.replay.wouldOverflow(bytes.length)) {
      this.onOverflow(connection);
    }
    const socket = connection.socket;
    if (connection.away || !socket) {
      return connection.replay.wait(bytes, droppable);
    }
    connection.replay.sent(bytes);
    if (socket.readyState === 1 /* OPEN */) {
      socket.send(bytes, { binary: false });
    }
    return true;
  }
}
