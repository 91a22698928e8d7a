import type { Connection } from './connection.js';

/**
 * Sends bytes to a connection's socket, refusing to let a slow or frozen reader grow memory without
 * bound: past `maxQueuedBytes` of unsent data the connection is reported as silent.
 */
export class Outbox {
  readonly #maxQueuedBytes: number;
  /** Called when a connection's send queue overflows; the server treats it like silence. */
  onOverflow: (connection: Connection) => void = () => {};

  constructor(maxQueuedBytes: number) {
    this.#maxQueuedBytes = maxQueuedBytes;
  }

  send(connection: Connection, bytes: Buffer): boolean {
    const socket = connection.socket;
    if (!socket || socket.readyState !== 1 /* OPEN */) {
      return false;
    }
    if (socket.bufferedAmount + bytes.length > this.#maxQueuedBytes) {
      this.onOverflow(connection);
      return false;
    }
    socket.send(bytes, { binary: false });
    return true;
  }
}
