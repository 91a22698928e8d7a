import {
  PROTOCOL_VERSION,
  VigilError,
  isDisconnectReason,
  reasonForCloseCode,
  type DisconnectReason,
  type LivenessTimers,
  type ServerMessage,
  type WelcomeMessage,
} from '@vigil/protocol';
import { systemClock, type ClientClock } from './clock.js';
import { Connection } from './connection.js';
import { Emitter } from './emitter.js';
import { explainRefusal } from './connect-refusal.js';
import { Heartbeat } from './heartbeat.js';
import { PendingRequests } from './pending-requests.js';
import type { SessionEvents } from './session-events.js';
import { checkSignalOptions, type SignalOptions } from './signal-options.js';
import { resolveWebSocket, type WebSocketConstructor, type WebSocketLike } from './websocket-like.js';

export interface SessionOptions {
  /** The Vigil server's base URL (`http://127.0.0.1:4000`). Defaults to the page's origin in a browser. */
  url?: string;
  /** A WebSocket constructor where there is no global one (Node 20: `ws`). */
  WebSocket?: WebSocketConstructor;
  /** How long connect and each request may take before failing. Default 10 000 ms. */
  requestTimeoutMs?: number;
  clock?: ClientClock;
}

export const SessionStates = {
  disconnected: 'disconnected',
  connecting: 'connecting',
  connected: 'connected',
} as const;
export type SessionState = (typeof SessionStates)[keyof typeof SessionStates];

/**
 * A Vigil session, shaped like OpenTok's: connect with a token, see who is here, signal, disconnect.
 *
 * @example
 * const session = initSession(apiKey, sessionId, { url: 'http://127.0.0.1:4000' });
 * session.on('signal:chat', ({ data, from }) => console.log(from?.connectionId, data));
 * await session.connect(token);
 * await session.signal({ type: 'chat', data: 'hello' });
 */
export class Session extends Emitter<SessionEvents> {
  readonly apiKey: string;
  readonly sessionId: string;
  #state: SessionState = 'disconnected';
  #connection: Connection | undefined;
  readonly #connections = new Map<string, Connection>();
  #socket: WebSocketLike | undefined;
  #timers: LivenessTimers | undefined;
  readonly #baseUrl: string;
  readonly #WebSocket: WebSocketConstructor | undefined;
  readonly #clock: ClientClock;
  readonly #requestTimeoutMs: number;
  readonly #requests: PendingRequests;
  #heartbeat: Heartbeat | undefined;
  #leaving: DisconnectReason | undefined;

  constructor(apiKey: string, sessionId: string, options: SessionOptions = {}) {
    super();
    if (typeof apiKey !== 'string' && typeof apiKey !== 'number') {
      throw new TypeError('initSession(apiKey, sessionId): apiKey must be a string');
    }
    if (typeof sessionId !== 'string' || sessionId === '') {
      throw new TypeError('initSession(apiKey, sessionId): sessionId must be a non-empty string');
    }
    this.apiKey = String(apiKey);
    this.sessionId = sessionId;
    this.#baseUrl = resolveBaseUrl(options.url);
    this.#WebSocket = options.WebSocket;
    this.#clock = options.clock ?? systemClock;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#requests = new PendingRequests(this.#clock, this.#requestTimeoutMs);
  }

  /** `connecting`, `connected` or `disconnected`. */
  get state(): SessionState {
    return this.#state;
  }

  /** Your own connection, once connected. */
  get connection(): Connection | undefined {
    return this.#connection;
  }

  /** Everyone in the session, you included, in join order. */
  get connections(): Connection[] {
    return [...this.#connections.values()];
  }

  /** The liveness timers the server announced at connect. */
  get timers(): Readonly<LivenessTimers> | undefined {
    return this.#timers;
  }

  /**
   * Joins the session with a token from the app server. Resolves once you are in and know who else is;
   * rejects with a `VigilError` whose code says why (e.g. `TOKEN_EXPIRED`, `CONNECT_FAILED`).
   */
  connect(token: string): Promise<void> {
    if (typeof token !== 'string' || token === '') {
      return Promise.reject(new TypeError('connect(token): token must be a non-empty string'));
    }
    if (this.#state !== 'disconnected') {
      return Promise.reject(new VigilError('ALREADY_CONNECTED'));
    }
    this.#state = 'connecting';
    this.#leaving = undefined;
    return new Promise<void>((resolve, reject) => {
      const query = new URLSearchParams({ sessionId: this.sessionId, token, protocol: String(PROTOCOL_VERSION) });
      const wsUrl = `${this.#baseUrl.replace(/^http/, 'ws')}/v1/ws?${query.toString()}`;
      let socket: WebSocketLike;
      try {
        socket = new (resolveWebSocket(this.#WebSocket))(wsUrl);
      } catch (err) {
        this.#state = 'disconnected';
        reject(err instanceof TypeError ? err : new VigilError('CONNECT_FAILED', undefined, { cause: err }));
        return;
      }
      this.#socket = socket;
      let settled = false;
      const timeout = this.#clock.setTimeout(() => fail(new VigilError('CONNECT_FAILED', 'Timed out connecting.')), this.#requestTimeoutMs);
      const fail = (error: VigilError): void => {
        if (settled) {
          return;
        }
        settled = true;
        this.#clock.clearTimeout(timeout);
        this.#detach(socket);
        this.#state = 'disconnected';
        reject(error);
      };
      socket.onmessage = (event: { data: unknown }) => {
        const message = parseServerMessage(event.data);
        if (!settled && message?.type === 'welcome') {
          settled = true;
          this.#clock.clearTimeout(timeout);
          this.#onWelcome(message);
          resolve();
        } else if (message) {
          this.#onMessage(message);
        }
      };
      socket.onclose = (event: { code: number }) => {
        if (!settled) {
          void explainRefusal(this.#baseUrl, this.sessionId, token).then(fail);
          return;
        }
        this.#onClosed(event.code);
      };
      socket.onerror = () => {
        // A close event always follows; that is where the outcome is decided.
      };
    });
  }

  /**
   * Sends a signal to everyone (you included) or to one connection. Resolves when the server accepted
   * it; rejects with a `VigilError` (`SIGNAL_DATA_TOO_LONG`, `CONNECTION_NOT_FOUND`, `NOT_CONNECTED`…).
   */
  async signal(options: SignalOptions): Promise<void> {
    const { signalType, data, to } = checkSignalOptions(options);
    await this.#request(to === undefined ? { type: 'signal', signalType, data } : { type: 'signal', signalType, data, to });
  }

  /** Removes another connection from the session. Needs a moderator token (`NOT_PERMITTED` otherwise). */
  async forceDisconnect(connection: Connection | string): Promise<void> {
    const connectionId = typeof connection === 'string' ? connection : connection.connectionId;
    await this.#request({ type: 'forceDisconnect', connectionId });
  }

  /** Leaves the session; `sessionDisconnected { reason: 'clientDisconnected' }` follows. Safe to repeat. */
  disconnect(): void {
    const socket = this.#socket;
    if (!socket || this.#state === 'disconnected') {
      return;
    }
    this.#leaving = 'clientDisconnected';
    if (socket.readyState === 1) {
      socket.send(JSON.stringify({ type: 'disconnect' }));
    }
    socket.close(4000, 'clientDisconnected');
    // Do not wait for the server: the app asked to leave, so the session is over now.
    this.#onClosed(4000);
  }

  protected override onListenerError(error: unknown, event: string): void {
    if (event === 'exception') {
      super.onListenerError(error, event);
      return;
    }
    this.emit('exception', { error, event });
  }

  async #request(body: Record<string, unknown>): Promise<void> {
    const socket = this.#socket;
    if (this.#state !== 'connected' || !socket || socket.readyState !== 1) {
      throw new VigilError('NOT_CONNECTED');
    }
    const { id, done } = this.#requests.open();
    socket.send(JSON.stringify({ ...body, id }));
    await done;
  }

  #onWelcome(welcome: WelcomeMessage): void {
    this.#state = 'connected';
    this.#timers = welcome.timers;
    this.#connection = new Connection(welcome.connection);
    this.#connections.clear();
    for (const info of welcome.connections) {
      this.#connections.set(info.id, new Connection(info));
    }
    this.#connections.set(this.#connection.connectionId, this.#connection);
    this.#heartbeat = new Heartbeat(this.#clock, welcome.timers, {
      send: () => this.#socket?.readyState === 1 && this.#socket.send('{"type":"ping"}'),
      silent: () => {
        this.#leaving = 'networkDisconnected';
        this.#socket?.close(4002, 'networkDisconnected');
        this.#onClosed(4002);
      },
    });
    this.emit('sessionConnected', { connection: this.#connection, connections: this.connections });
  }

  #onMessage(message: ServerMessage): void {
    this.#heartbeat?.heard();
    switch (message.type) {
      case 'connectionCreated': {
        const connection = new Connection(message.connection);
        this.#connections.set(connection.connectionId, connection);
        this.emit('connectionCreated', { connection });
        return;
      }
      case 'connectionDestroyed': {
        const connection = this.#connections.get(message.connectionId);
        if (connection && connection !== this.#connection) {
          this.#connections.delete(message.connectionId);
          this.emit('connectionDestroyed', { connection, reason: message.reason });
        }
        return;
      }
      case 'signal': {
        const from = message.from === null ? null : (this.#connections.get(message.from) ?? null);
        const event = { type: message.signalType, data: message.data, from };
        this.emit('signal', event);
        this.emit(`signal:${message.signalType}`, event);
        return;
      }
      case 'ack':
        this.#requests.settle(message.id);
        return;
      case 'error': {
        const error = VigilError.fromWire(message);
        if (message.id !== undefined) {
          this.#requests.settle(message.id, error);
        } else {
          this.emit('error', { error });
        }
        return;
      }
      case 'disconnected':
        this.#leaving = isDisconnectReason(message.reason) ? message.reason : 'networkDisconnected';
        return;
      case 'pong':
      case 'welcome':
        return;
      default:
        // A newer server may send messages this SDK does not know; ignoring them keeps it working.
        return;
    }
  }

  #onClosed(code: number): void {
    const socket = this.#socket;
    if (this.#state === 'disconnected' || !socket) {
      return;
    }
    this.#detach(socket);
    const reason = this.#leaving ?? reasonForCloseCode(code);
    this.#state = 'disconnected';
    this.#heartbeat?.stop();
    this.#heartbeat = undefined;
    this.#requests.rejectAll(new VigilError('DISCONNECTED'));
    this.#connections.clear();
    this.emit('sessionDisconnected', { reason });
  }

  #detach(socket: WebSocketLike): void {
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    socket.onopen = null;
    if (socket.readyState <= 1) {
      socket.close(4000, 'clientDisconnected');
    }
    if (this.#socket === socket) {
      this.#socket = undefined;
    }
  }
}

function resolveBaseUrl(url: string | undefined): string {
  const base = url ?? (globalThis as { location?: { origin?: string } }).location?.origin;
  if (!base) {
    throw new TypeError('initSession: pass { url } (the Vigil server, e.g. http://127.0.0.1:4000)');
  }
  if (!/^(https?|wss?):\/\//.test(base)) {
    throw new TypeError(`initSession: url must start with http(s):// or ws(s):// (got ${base})`);
  }
  return base.replace(/^ws/, 'http').replace(/\/+$/, '');
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
