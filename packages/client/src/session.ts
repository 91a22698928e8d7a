import {
  PROTOCOL_VERSION,
  VigilError,
  isDisconnectReason,
  isVigilError,
  type AnnouncedState,
  type DisconnectReason,
  type LivenessTimers,
  type ResumedMessage,
  type ServerMessage,
  type StreamDestroyedReason,
  type WelcomeMessage,
} from '@vigil/protocol';
import { systemClock, type ClientClock } from './clock.js';
import { Connection } from './connection.js';
import { Emitter } from './emitter.js';
import { Heartbeat } from './heartbeat.js';
import { LifecycleController, type SessionLifecycleOptions } from './lifecycle-controller.js';
import { PendingRequests } from './pending-requests.js';
import { PushClient, inviteEvent, type PushRegistrationOptions } from './push-client.js';
import { ReconnectPolicy, type ReconnectOptions } from './reconnect-policy.js';
import type { SessionEvents } from './session-events.js';
import type { VideoTarget } from './media/video-element.js';
import type { Publisher } from './publisher.js';
import type { Stream } from './stream.js';
import { StreamManager } from './stream-manager.js';
import type { SubscribeOptions, Subscriber } from './subscriber.js';
import { checkSignalOptions, type SignalOptions } from './signal-options.js';
import { openLink, type SocketLink } from './socket-link.js';
import type { WebSocketConstructor } from './websocket-like.js';

export interface SessionOptions {
  /** The Vigil server's base URL (`http://127.0.0.1:4000`). Defaults to the page's origin in a browser. */
  url?: string;
  /** A WebSocket constructor where there is no global one (Node 20: `ws`). */
  WebSocket?: WebSocketConstructor;
  /** How long connect and each request may take before failing. Default 10 000 ms. */
  requestTimeoutMs?: number;
  /** Asked for a fresh token when rejoining after the grace finds the old one expired. */
  tokenProvider?: () => string | Promise<string>;
  /** Reconnect tuning, or `false` to end the session on the first lost link. */
  reconnect?: ReconnectOptions | false;
  /**
   * The lifecycle engine (lifecycle.md): in a browser it listens to the page by itself (a hidden phone
   * page pauses the camera and announces `background`; a hidden desktop tab announces it but keeps the
   * camera); elsewhere feed it with `session.lifecycle.send()`. `false` turns it off: drive
   * `announce()` and `checkConnection()` yourself.
   */
  lifecycle?: SessionLifecycleOptions | false;
  clock?: ClientClock;
}

export const SessionStates = {
  disconnected: 'disconnected',
  connecting: 'connecting',
  connected: 'connected',
  reconnecting: 'reconnecting',
} as const;
export type SessionState = (typeof SessionStates)[keyof typeof SessionStates];

/** Close codes after which the server will not take the connection back. */
const FINAL_CLOSE_CODES = new Set([4000, 4001, 4003, 4004, 4005, 4010, 1008, 1009]);
/** Report the frame count at least this often, so the server can forget what was delivered. */
const CONFIRM_EVERY_FRAMES = 64;
const PROBE_DEADLINE_MS = 1_500;

/**
 * A Vigil session, shaped like OpenTok's: connect with a token, see who is here, signal, disconnect.
 * When the link drops it resumes the same connection (nothing lost, nothing twice), or after the
 * server's grace rejoins with a new one, on its own.
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
  #link: SocketLink | undefined;
  #timers: LivenessTimers | undefined;
  #token = '';
  #resumeToken = '';
  /** Frames processed on the current connection (after its welcome); what resume replays from. */
  #rx = 0;
  #rxConfirmed = 0;
  /**
   * In a multi-node deployment, the last stamp (`vo`) seen from each origin node: if this connection's
   * node dies, the node it resumes on replays exactly what came after these (docs/scale-out.md).
   */
  readonly #stamps = new Map<string, string>();
  /**
   * After a resume: once this many replayed frames are processed, requests up to `upTo` count as done.
   * Their answers are normally in the replay; after a takeover from a dead node they are not.
   */
  #afterReplay: { frames: number; upTo: number } | undefined;
  #heartbeat: Heartbeat | undefined;
  #leaving: DisconnectReason | undefined;
  /** Set by a drained node's goodbye: join again after this long instead of ending. */
  #rejoinAfterMs: number | undefined;
  #probe: unknown;
  #lastHeard = 0;
  #announced: { state: AnnouncedState; reason: string } = { state: 'active', reason: 'connected' };
  #lifecycle: LifecycleController | undefined;
  readonly #options: SessionOptions;
  readonly #baseUrl: string;
  /** The node a deployment sent this session to (`SESSION_ELSEWHERE`), if any. */
  #nodeUrl: string | undefined;
  readonly #clock: ClientClock;
  readonly #requests: PendingRequests;
  /** Streams, publishers and subscribers (`stream-manager.ts`). */
  readonly #media: StreamManager = new StreamManager({
    request: (body) => this.#request(body, false),
    send: (body) => {
      if (this.#state === 'connected') {
        this.#link?.send(JSON.stringify(body));
      }
    },
    emit: (type, payload) => this.emit(type, payload),
    republished: (publisher) => this.#lifecycle?.attachPublisher(publisher),
    connection: (id) => this.#connections.get(id),
    ownConnectionId: () => this.#connection?.connectionId,
    setTimeout: (fn, ms) => this.#clock.setTimeout(fn, ms),
    clearTimeout: (handle) => this.#clock.clearTimeout(handle),
  });
  #push: PushClient | undefined;

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
    this.#options = options;
    this.#baseUrl = resolveBaseUrl(options.url);
    this.#clock = options.clock ?? systemClock;
    this.#requests = new PendingRequests(this.#clock, options.requestTimeoutMs ?? 10_000);
  }

  /** `connecting`, `connected`, `reconnecting` or `disconnected`. */
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

  /** The lifecycle engine running in this session (undefined before connect or with `lifecycle: false`). */
  get lifecycle(): LifecycleController | undefined {
    return this.#lifecycle;
  }

  /** The liveness timers the server announced at connect. */
  get timers(): Readonly<LivenessTimers> | undefined {
    return this.#timers;
  }

  /**
   * Joins the session with a token from the app server. Resolves once you are in and know who else is;
   * rejects with a `VigilError` whose code says why (e.g. `TOKEN_EXPIRED`, `CONNECT_FAILED`).
   */
  async connect(token: string): Promise<void> {
    if (typeof token !== 'string' || token === '') {
      throw new TypeError('connect(token): token must be a non-empty string');
    }
    if (this.#state !== 'disconnected') {
      throw new VigilError('ALREADY_CONNECTED');
    }
    this.#state = 'connecting';
    this.#leaving = undefined;
    this.#token = token;
    try {
      const { link, first } = await this.#open({ sessionId: this.sessionId, token });
      if (first.type !== 'welcome') {
        link.close(4000, 'unexpected');
        throw new VigilError('CONNECT_FAILED', 'The server did not welcome the connection.');
      }
      this.#welcome(first);
      this.#adopt(link);
      if (this.#options.lifecycle !== false && !this.#lifecycle) {
        this.#lifecycle = new LifecycleController(
          {
            announce: (state, reason) => this.announce(state, reason),
            checkConnection: () => this.checkConnection(),
            warn: () => this.emit('backgroundWithoutMedia', {}),
          },
          this.#options.lifecycle ?? {},
          this.#clock,
        );
      }
      this.#reannounce();
      this.emit('sessionConnected', { connection: this.#connection as Connection, connections: this.connections });
    } catch (err) {
      this.#state = 'disconnected';
      throw err;
    }
  }

  /**
   * Sends a signal to everyone (you included) or to one connection. Resolves when the server accepted
   * it. While reconnecting it is queued and sent on return, unless `retryAfterReconnect: false`.
   * Rejects with a `VigilError` (`SIGNAL_DATA_TOO_LONG`, `CONNECTION_NOT_FOUND`, `NOT_CONNECTED`…).
   */
  async signal(options: SignalOptions): Promise<void> {
    const { signalType, data, to } = checkSignalOptions(options);
    const body = to === undefined ? { type: 'signal', signalType, data } : { type: 'signal', signalType, data, to };
    await this.#request(body, options.retryAfterReconnect !== false);
  }

  /** Removes another connection from the session. Needs a moderator token (`NOT_PERMITTED` otherwise). */
  /**
   * Registers this device's push credentials for an identity, so it can be woken by a push when it
   * is signalled or invited while suspended or gone (docs/push.md). Sent again after a rejoin.
   */
  registerPush(registration: PushRegistrationOptions): Promise<void> {
    return this.#pushClient().registerPush(registration);
  }

  /** Signals every connection of `identity` in this session; pushes to its devices if none is live. */
  signalIdentity(identity: string, options: { type?: string; data?: string } = {}): Promise<void> {
    return this.#pushClient().signalIdentity(identity, options);
  }

  /** Invites `identity` into this session (a call: a VoIP push if it cannot be reached). Resolves with the invite id. */
  invite(identity: string, data?: string, options?: { ttlMs?: number }): Promise<string> {
    return this.#pushClient().invite(identity, data, options);
  }

  /** Withdraws an invite: over the invitee's live connection or a normal push, never a VoIP push. */
  cancelInvite(inviteId: string): Promise<void> {
    return this.#pushClient().cancelInvite(inviteId);
  }

  #pushClient(): PushClient {
    this.#push ??= new PushClient(this, (body, queue) => this.#request(body, queue));
    return this.#push;
  }

  /** Every stream in the session, yours included, oldest first. */
  get streams(): Stream[] {
    return this.#media.streams;
  }

  /**
   * Publishes a publisher's media (see `initPublisher`). Resolves once everyone can subscribe (your
   * publisher's `streamCreated`); rejects with a `VigilError` (`NOT_PERMITTED` for a subscriber
   * token, `MEDIA_ACCESS_DENIED`, `STREAM_LIMIT_REACHED`, …).
   */
  async publish(publisher: Publisher): Promise<void> {
    await this.#media.publish(publisher);
    this.#lifecycle?.attachPublisher(publisher);
  }

  /** Stops publishing; everyone gets `streamDestroyed` with reason `unpublished`. */
  unpublish(publisher: Publisher): Promise<void> {
    return this.#media.unpublish(publisher);
  }

  /**
   * Receives a stream, rendered into a `<video>` appended to `target` (an element or its id). Resolves
   * with the `Subscriber` once the server accepted; media follows (`connected`). Rejects with
   * `STREAM_NOT_FOUND` when the stream has gone.
   */
  subscribe(stream: Stream, target?: VideoTarget, options: SubscribeOptions = {}): Promise<Subscriber> {
    if (typeof stream !== 'object' || stream === null || typeof stream.streamId !== 'string') {
      throw new TypeError('subscribe(stream): stream must be a Stream from streamCreated or session.streams');
    }
    // Lifecycle rule 3: the engine decides before the subscriber exists whether its view may be created.
    const lifecycle = this.#lifecycle;
    if (lifecycle) {
      return this.#media.subscribe(stream, target, lifecycle.subscribeOptions(stream, options)).then((s) => lifecycle.attachSubscriber(s));
    }
    return this.#media.subscribe(stream, target, options);
  }

  /** Stops receiving a stream; the subscriber emits `destroyed` with reason `unsubscribed`. */
  unsubscribe(subscriber: Subscriber): Promise<void> {
    return this.#media.unsubscribe(subscriber);
  }

  getPublisherForStream(stream: Stream): Publisher | undefined {
    return this.#media.publisherForStream(stream.streamId);
  }

  getSubscribersForStream(stream: Stream): Subscriber[] {
    return this.#media.subscribersForStream(stream.streamId);
  }

  async forceDisconnect(connection: Connection | string): Promise<void> {
    const connectionId = typeof connection === 'string' ? connection : connection.connectionId;
    await this.#request({ type: 'forceDisconnect', connectionId }, false);
  }

  /**
   * Tells everyone what this client is doing: `background` (the app left the foreground; a silence
   * that follows is a suspension), `interrupted` (e.g. a phone call took the audio), or `active`.
   * Peers get `connectionStateChanged`. Kept across reconnects.
   */
  announce(state: AnnouncedState, reason: string): void {
    if (state === this.#announced.state) {
      return;
    }
    this.#announced = { state, reason };
    if (this.#state === 'connected' || this.#state === 'reconnecting') {
      this.#request({ type: 'lifecycle', state, reason }, true).catch(() => {
        // Lost with the session; a rejoin announces the current state again.
      });
    }
  }

  /**
   * Checks the link now (after the app resumed, or the network came back): a ping with a short
   * deadline; a zombie socket is replaced at once instead of after the heartbeat timeout.
   */
  checkConnection(): void {
    if (this.#state !== 'connected' || !this.#link || this.#probe !== undefined) {
      return;
    }
    const link = this.#link;
    const heardBefore = this.#lastHeard;
    this.#sendPing();
    this.#probe = this.#clock.setTimeout(() => {
      this.#probe = undefined;
      if (this.#link === link && this.#lastHeard === heardBefore) {
        this.#linkLost(link);
      }
    }, PROBE_DEADLINE_MS);
  }

  /** Leaves the session; `sessionDisconnected { reason: 'clientDisconnected' }` follows. Safe to repeat. */
  disconnect(): void {
    if (this.#state === 'disconnected') {
      return;
    }
    this.#leaving = 'clientDisconnected';
    this.#link?.send('{"type":"disconnect"}');
    this.#finish('clientDisconnected');
  }

  protected override onListenerError(error: unknown, event: string): void {
    if (event === 'exception') {
      super.onListenerError(error, event);
      return;
    }
    this.emit('exception', { error, event });
  }

  async #request(body: Record<string, unknown>, queueWhileAway: boolean): Promise<void> {
    const away = this.#state === 'reconnecting';
    if (this.#state !== 'connected' && !(away && queueWhileAway)) {
      throw new VigilError('NOT_CONNECTED');
    }
    const { text, done } = this.#requests.open(body);
    if (!away) {
      this.#link?.send(text);
    }
    await done;
  }

  /**
   * Opens a link, following a deployment's `SESSION_ELSEWHERE` (a routed session is served by one node)
   * at most three times. If the node it was sent to cannot be reached any more, the next attempt goes
   * back to the URL the app gave, so the load balancer can pick a live node.
   */
  async #open(query: Record<string, string>): Promise<{ link: SocketLink; first: ServerMessage }> {
    for (let hop = 0; ; hop += 1) {
      try {
        return await openLink({
          baseUrl: this.#nodeUrl ?? this.#baseUrl,
          query: { protocol: String(PROTOCOL_VERSION), ...query },
          WebSocket: this.#options.WebSocket,
          clock: this.#clock,
          timeoutMs: this.#options.requestTimeoutMs ?? 10_000,
        });
      } catch (err) {
        const target = this.#nodeUrl ?? this.#baseUrl;
        if (isVigilError(err) && err.redirect !== undefined && err.redirect !== target && hop < 3) {
          this.#nodeUrl = err.redirect;
          continue;
        }
        if (isVigilError(err) && err.code === 'CONNECT_FAILED') {
          this.#nodeUrl = undefined;
        }
        throw err;
      }
    }
  }

  /** Takes a fresh connection's identity and roster from its welcome (after a rejoin: why the old one ended). */
  #welcome(welcome: WelcomeMessage, previousReason?: StreamDestroyedReason): void {
    this.#state = 'connected';
    this.#timers = welcome.timers;
    this.#resumeToken = welcome.resumeToken;
    this.#rx = 0;
    this.#rxConfirmed = 0;
    this.#stamps.clear();
    this.#connection = new Connection(welcome.connection);
    this.#connections.clear();
    for (const info of welcome.connections) {
      this.#connections.set(info.id, new Connection(info));
    }
    this.#connections.set(this.#connection.connectionId, this.#connection);
    this.#media.welcome(welcome, previousReason);
  }

  /** Makes `link` the live one: frames flow to the session, heartbeats start. */
  #adopt(link: SocketLink): void {
    this.#link = link;
    this.#lastHeard = this.#clock.now();
    this.#heartbeat?.stop();
    this.#heartbeat = new Heartbeat(this.#clock, this.#timers as LivenessTimers, {
      send: () => this.#sendPing(),
      silent: () => this.#linkLost(link),
      resumedFromSuspension: () => this.checkConnection(),
    });
    link.attach(
      (message) => this.#onFrame(link, message),
      (code) => this.#onClose(link, code),
    );
  }

  #sendPing(): void {
    this.#rxConfirmed = this.#rx;
    this.#link?.send(`{"type":"ping","rx":${this.#rx}}`);
  }

  #onFrame(link: SocketLink, message: ServerMessage): void {
    if (link !== this.#link) {
      return;
    }
    this.#rx += 1;
    const stamp = (message as { vo?: unknown }).vo;
    if (typeof stamp === 'string') {
      const dot = stamp.lastIndexOf('.');
      const origin = stamp.slice(0, dot);
      // Most recently heard last; beyond 64 origins (nodes come and go) the longest silent one is forgotten.
      this.#stamps.delete(origin);
      this.#stamps.set(origin, stamp.slice(dot + 1));
      if (this.#stamps.size > 64) {
        this.#stamps.delete(this.#stamps.keys().next().value as string);
      }
    }
    this.#lastHeard = this.#clock.now();
    this.#heartbeat?.heard();
    if (this.#rx - this.#rxConfirmed >= CONFIRM_EVERY_FRAMES) {
      this.#rxConfirmed = this.#rx;
      link.send(`{"type":"received","rx":${this.#rx}}`);
    }
    this.#onMessage(message);
    if (this.#afterReplay && --this.#afterReplay.frames <= 0) {
      this.#requests.settleUpTo(this.#afterReplay.upTo);
      this.#afterReplay = undefined;
    }
  }

  #onMessage(message: ServerMessage): void {
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
      case 'connectionStateChanged': {
        const connection = this.#connections.get(message.connectionId);
        if (connection) {
          connection.state = message.state;
          this.emit('connectionStateChanged', { connection, state: message.state, reason: message.reason });
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
      case 'invite':
        this.emit('invite', inviteEvent(message, this.#connections));
        return;
      case 'inviteCancelled':
        this.emit('inviteCancelled', { inviteId: message.inviteId, sessionId: message.sessionId });
        return;
      case 'streamCreated':
      case 'streamDestroyed':
      case 'streamPropertyChanged':
      case 'subscriberMedia':
      case 'subscriptionCreated':
      case 'subscriptionChanged':
      case 'subscriptionDestroyed':
      case 'sdp':
      case 'ice':
      case 'streamMuteForced':
        this.#media.onMessage(message);
        return;
      case 'muteForced':
        this.emit('muteForced', { active: message.active });
        return;
      case 'signalsDropped':
        this.emit('signalsDropped', { count: message.count });
        return;
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
        this.#leaving = isDisconnectReason(message.reason) ? message.reason : 'forceDisconnected';
        this.#rejoinAfterMs = message.rejoin === true && this.#options.reconnect !== false ? Math.max(0, message.retryAfterMs ?? 0) : undefined;
        return;
      default:
        // pong, or a message from a newer server this SDK does not know: nothing to do.
        return;
    }
  }

  #onClose(link: SocketLink, code: number): void {
    if (link !== this.#link) {
      return;
    }
    if (this.#leaving && this.#rejoinAfterMs !== undefined && this.#state === 'connected') {
      this.#drained(link, this.#leaving, this.#rejoinAfterMs);
    } else if (this.#leaving) {
      this.#finish(this.#leaving);
    } else if (FINAL_CLOSE_CODES.has(code)) {
      this.#finish(code === 4004 ? 'tokenExpired' : code === 4005 ? 'serverShutdown' : code === 4003 ? 'suspended' : 'forceDisconnected');
    } else {
      this.#linkLost(link);
    }
  }

  /** The link is gone without a goodbye: resume, or end the session if reconnecting is off. */
  #linkLost(link: SocketLink): void {
    if (link !== this.#link || this.#state !== 'connected') {
      return;
    }
    link.close(4002, 'lost');
    this.#link = undefined;
    this.#heartbeat?.stop();
    this.#heartbeat = undefined;
    if (this.#options.reconnect === false) {
      this.#finish('networkDisconnected');
      return;
    }
    this.#state = 'reconnecting';
    this.#requests.pause();
    this.emit('sessionReconnecting', {});
    void this.#reconnect();
  }

  /**
   * A node of a multi-node deployment is draining: join again (through the same URL, so the load
   * balancer picks another node) after the server's hint, which it spreads over clients.
   */
  #drained(link: SocketLink, reason: DisconnectReason, afterMs: number): void {
    this.#leaving = undefined;
    this.#rejoinAfterMs = undefined;
    link.close(4000, 'drained');
    this.#link = undefined;
    this.#heartbeat?.stop();
    this.#heartbeat = undefined;
    this.#state = 'reconnecting';
    this.#requests.pause();
    this.emit('sessionReconnecting', {});
    const policy = new ReconnectPolicy(this.#clock, this.#options.reconnect || {});
    void policy.wait(afterMs, () => this.#state !== 'reconnecting').then(() => {
      if (this.#state === 'reconnecting') {
        void this.#rejoin(policy, reason);
      }
    });
  }

  async #reconnect(): Promise<void> {
    const policy = new ReconnectPolicy(this.#clock, this.#options.reconnect || {});
    // The server ends a connection that went silent after announcing `background` as `suspended`.
    const awayReason: StreamDestroyedReason = this.#announced.state === 'background' ? 'suspended' : 'networkDisconnected';
    for (let attempt = 0; attempt < 10_000 && this.#state === 'reconnecting'; attempt += 1) {
      const startedAt = this.#clock.now();
      try {
        const own = this.#connection as Connection;
        const query: Record<string, string> = { sessionId: this.sessionId, resume: own.connectionId, resumeToken: this.#resumeToken, rx: String(this.#rx) };
        query['ov'] = [...this.#stamps].map(([origin, n]) => `${origin}.${n}`).join(',');
        const { link, first } = await this.#open(query);
        if (this.#state !== 'reconnecting') {
          link.close(4000, 'clientDisconnected');
          return;
        }
        if (first.type === 'resumed') {
          this.#resumed(link, first);
          return;
        }
        link.close(4000, 'unexpected');
      } catch (err) {
        if (this.#state !== 'reconnecting') {
          return;
        }
        if (isVigilError(err) && (err.code === 'RESUME_FAILED' || err.code === 'RESUME_TOKEN_INVALID')) {
          await this.#rejoin(policy, awayReason);
          return;
        }
      }
      if (!(await this.#backOff(policy, startedAt))) {
        return;
      }
    }
  }

  /**
   * Charges a failed attempt to the budget and waits out the next delay. False when the budget is
   * used up (the session has then ended with `networkDisconnected`).
   */
  async #backOff(policy: ReconnectPolicy, startedAt: number): Promise<boolean> {
    policy.charge(startedAt, this.#options.requestTimeoutMs ?? 10_000);
    const delay = policy.nextDelay();
    if (delay === null) {
      this.#finish('networkDisconnected');
      return false;
    }
    await policy.wait(delay, () => this.#state !== 'reconnecting');
    return true;
  }

  /** Makes `link` live and re-sends the requests after `lastProcessedId`, oldest first. */
  #adoptAndResend(link: SocketLink, lastProcessedId: number): void {
    const resend = this.#requests.resumeAfter(lastProcessedId);
    this.#adopt(link);
    for (const text of resend) {
      link.send(text);
    }
  }

  #resumed(link: SocketLink, resumed: ResumedMessage): void {
    this.#state = 'connected';
    // Requests the server processed are answered in the replay; only later ones are sent again.
    this.#adoptAndResend(link, resumed.lastRequestId);
    this.#afterReplay = undefined;
    if (resumed.replayed === 0) {
      this.#requests.settleUpTo(resumed.lastRequestId);
    } else {
      this.#afterReplay = { frames: resumed.replayed, upTo: resumed.lastRequestId };
    }
    this.emit('sessionReconnected', { rejoined: false });
  }

  /** The grace ended: join again as a new connection, clean up what the old one had, re-send the rest. */
  async #rejoin(policy: ReconnectPolicy, previousReason: StreamDestroyedReason): Promise<void> {
    const previous = this.#connection as Connection;
    for (let attempt = 0; attempt < 10_000 && this.#state === 'reconnecting'; attempt += 1) {
      const startedAt = this.#clock.now();
      try {
        const { link, first } = await this.#open({
          sessionId: this.sessionId,
          token: this.#token,
          previous: previous.connectionId,
          previousToken: this.#resumeToken,
        });
        if (this.#state !== 'reconnecting' || first.type !== 'welcome') {
          link.close(4000, 'clientDisconnected');
          return;
        }
        const before = new Map(this.#connections);
        this.#welcome(first, previousReason);
        for (const [id, connection] of before) {
          if (connection !== previous && !this.#connections.has(id)) {
            // They left while we were away. Their exit reason went with the old connection's frames.
            this.emit('connectionDestroyed', { connection, reason: 'networkDisconnected' });
          }
        }
        for (const [id, connection] of this.#connections) {
          if (!before.has(id) && connection !== this.#connection) {
            this.emit('connectionCreated', { connection });
          }
        }
        this.#requests.settleUpTo(first.previous?.lastRequestId ?? 0);
        this.#adoptAndResend(link, 0);
        this.#reannounce();
        this.emit('sessionReconnected', { rejoined: true, previousConnectionId: previous.connectionId });
        return;
      } catch (err) {
        if (this.#state !== 'reconnecting') {
          return;
        }
        if (isVigilError(err) && err.code === 'TOKEN_EXPIRED') {
          if (!this.#options.tokenProvider) {
            this.#finish('tokenExpired');
            return;
          }
          try {
            this.#token = await this.#options.tokenProvider();
            continue;
          } catch {
            this.#finish('tokenExpired');
            return;
          }
        }
        if (isVigilError(err) && !TRANSIENT_REFUSALS.has(err.code)) {
          this.#finish('networkDisconnected');
          return;
        }
      }
      if (!(await this.#backOff(policy, startedAt))) {
        return;
      }
    }
  }

  /** A new connection starts `active` on the server; tell it if this client is not. */
  #reannounce(): void {
    const { state, reason } = this.#announced;
    if (state !== 'active') {
      this.#request({ type: 'lifecycle', state, reason }, true).catch(() => {});
    }
  }

  #finish(reason: DisconnectReason): void {
    if (this.#state === 'disconnected') {
      return;
    }
    this.#lifecycle?.stop();
    this.#lifecycle = undefined;
    this.#link?.close(4000, reason);
    this.#link = undefined;
    this.#state = 'disconnected';
    this.#heartbeat?.stop();
    this.#heartbeat = undefined;
    if (this.#probe !== undefined) {
      this.#clock.clearTimeout(this.#probe);
      this.#probe = undefined;
    }
    this.#requests.rejectAll(new VigilError('DISCONNECTED'));
    this.#media.disconnected(reason);
    this.#connections.clear();
    this.emit('sessionDisconnected', { reason });
  }
}

/** Refusals that say "not now" rather than "never": a rejoin backs off and tries again. */
const TRANSIENT_REFUSALS: ReadonlySet<string> = new Set(['CONNECT_FAILED', 'SERVER_BUSY', 'SERVER_SHUTTING_DOWN', 'STORE_UNAVAILABLE', 'RATE_LIMITED', 'SESSION_ELSEWHERE']);

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
