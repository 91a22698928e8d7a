import { VigilError, type ServerMessage } from '@vigil/protocol';
import type { ClientClock } from './clock.js';
import { explainRefusal } from './connect-refusal.js';
import { resolveWebSocket, type WebSocketConstructor, type WebSocketLike } from './websocket-like.js';

/**
 * One WebSocket to the server. Frames that arrive before the session takes the link over are queued,
 * not lost: with `ws` in Node, a `resumed` message and the replayed frames behind it can be dispatched
 * in one go, before any promise continuation runs.
 */
export class SocketLink {
  readonly socket: WebSocketLike;
  #onFrame: ((message: ServerMessage) => void) | undefined;
  #onClose: ((code: number) => void) | undefined;
  readonly #queued: ServerMessage[] = [];
  #closedCode: number | undefined;

  constructor(socket: WebSocketLike) {
    this.socket = socket;
  }

  /** Starts delivering frames (queued ones first) and the close. */
  attach(onFrame: (message: ServerMessage) => void, onClose: (code: number) => void): void {
    this.#onFrame = onFrame;
    this.#onClose = onClose;
    for (const message of this.#queued.splice(0)) {
      onFrame(message);
    }
    if (this.#closedCode !== undefined) {
      onClose(this.#closedCode);
    }
  }

  send(text: string): boolean {
    if (this.socket.readyState !== 1) {
      return false;
    }
    this.socket.send(text);
    return true;
  }

  close(code: number, reason: string): void {
    this.socket.onmessage = null;
    this.socket.onclose = null;
    // Not null: Node's `ws` reports closing a socket that is still connecting as an 'error' event,
    // which would be an uncaught exception without a listener (browsers just close it).
    this.socket.onerror = () => {};
    if (this.socket.readyState <= 1) {
      this.socket.close(code, reason);
    }
  }

  frame(message: ServerMessage): void {
    if (this.#onFrame) {
      this.#onFrame(message);
    } else {
      this.#queued.push(message);
    }
  }

  closed(code: number): void {
    if (this.#onClose) {
      this.#onClose(code);
    } else {
      this.#closedCode = code;
    }
  }
}

export interface OpenOptions {
  baseUrl: string;
  query: Record<string, string>;
  WebSocket: WebSocketConstructor | undefined;
  clock: ClientClock;
  timeoutMs: number;
}

/**
 * Opens a socket and waits for its first message (`welcome` or `resumed`). A refused upgrade is
 * explained by asking the server why (browsers cannot see the HTTP status); a network failure or a
 * timeout is `CONNECT_FAILED`.
 */
export function openLink(options: OpenOptions): Promise<{ link: SocketLink; first: ServerMessage }> {
  return new Promise((resolve, reject) => {
    const url = `${options.baseUrl.replace(/^http/, 'ws')}/v1/ws?${new URLSearchParams(options.query).toString()}`;
    let socket: WebSocketLike;
    try {
      socket = new (resolveWebSocket(options.WebSocket))(url);
    } catch (err) {
      reject(err instanceof TypeError ? err : new VigilError('CONNECT_FAILED', undefined, { cause: err }));
      return;
    }
    const link = new SocketLink(socket);
    let settled = false;
    const timer = options.clock.setTimeout(() => fail(new VigilError('CONNECT_FAILED', 'Timed out connecting.')), options.timeoutMs);
    const fail = (error: VigilError): void => {
      if (!settled) {
        settled = true;
        options.clock.clearTimeout(timer);
        link.close(4000, 'abandoned');
        reject(error);
      }
    };
    socket.onmessage = (event: { data: unknown }) => {
      const message = parseServerMessage(event.data);
      if (!message) {
        return;
      }
      if (settled) {
        link.frame(message);
        return;
      }
      if (message.type === 'welcome' || message.type === 'resumed') {
        settled = true;
        options.clock.clearTimeout(timer);
        resolve({ link, first: message });
      } else if (message.type === 'disconnected' || message.type === 'error') {
        fail(new VigilError('CONNECT_FAILED', `The server closed the connection (${message.type === 'error' ? message.code : message.reason}).`));
      }
    };
    socket.onclose = (event: { code: number }) => {
      if (settled) {
        link.closed(event.code);
        return;
      }
      void explainRefusal(options.baseUrl, options.query).then(fail);
    };
    socket.onerror = () => {
      // A close event always follows; the outcome is decided there.
    };
  });
}

function parseServerMessage(data: unknown): ServerMessage | undefined {
  if (typeof data !== 'string') {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
      ? (value as ServerMessage)
      : undefined;
  } catch {
    return undefined;
  }
}
