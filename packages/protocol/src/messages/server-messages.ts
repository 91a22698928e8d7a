import type { ConnectionState } from '../connection-states.js';
import type { DisconnectReason } from '../disconnect-reasons.js';
import type { ErrorCode } from '../error-codes.js';
import type { LivenessTimers } from '../liveness-timers.js';
import type { MediaMode } from '../session-id.js';
import type { IceServer } from '../streams.js';
import type { StreamInfo, StreamServerMessage } from './stream-server-messages.js';
import type { PushServerMessage } from './push-server-messages.js';

// Server → client messages. The server builds them, so they are described by types only; the client
// still checks `type` before use and ignores what it does not know (newer servers may add messages).

/** A connection as every member of the session sees it. */
export interface ConnectionInfo {
  id: string;
  /** The token's `connection_data`, verbatim ('' when none). */
  data: string;
  /** Milliseconds since the epoch, when the connection joined. */
  creationTime: number;
  /** What it is doing now; `active` unless it announced otherwise or went silent. */
  state: ConnectionState;
}

/** First message on a new socket: who you are, who is here, and the timers in force. */
export interface WelcomeMessage {
  type: 'welcome';
  protocol: number;
  sessionId: string;
  mediaMode: MediaMode;
  connection: ConnectionInfo;
  /** Everyone else already in the session, oldest first. */
  connections: ConnectionInfo[];
  timers: LivenessTimers;
  /** STUN/TURN servers for this client's peer connections (the server's `iceServers` option). */
  iceServers: IceServer[];
  /** Streams already published in the session, oldest first. */
  streams: StreamInfo[];
  /**
   * Secret for resuming this connection on a new socket within the grace period. Frames after this
   * message are numbered 1, 2, … for the resume bookkeeping.
   */
  resumeToken: string;
  /** When this connect replaced an earlier connection of the same client: what it had processed. */
  previous?: { connectionId: string; lastRequestId: number };
}

/**
 * First message on a socket that resumed an existing connection (not counted itself). The frames the
 * client had not processed follow at once, `replayed` of them, numbered on from the client's `rx`;
 * `dropped` signals were lost to the away-buffer cap (a `signalsDropped` frame follows too).
 */
export interface ResumedMessage {
  type: 'resumed';
  connectionId: string;
  replayed: number;
  /** Request ids up to this one were processed; the client re-sends only later ones. */
  lastRequestId: number;
  dropped: number;
}

/** A peer's state changed (background, interrupted, reconnecting, suspended, active again). */
export interface ConnectionStateChangedMessage {
  type: 'connectionStateChanged';
  connectionId: string;
  state: ConnectionState;
  reason: string;
}

/** Signals for this connection were dropped while it was away, because its buffer was full. */
export interface SignalsDroppedMessage {
  type: 'signalsDropped';
  count: number;
}

export interface ConnectionCreatedMessage {
  type: 'connectionCreated';
  connection: ConnectionInfo;
}

export interface ConnectionDestroyedMessage {
  type: 'connectionDestroyed';
  connectionId: string;
  reason: DisconnectReason;
}

export interface SignalDeliveryMessage {
  type: 'signal';
  /** The sender's connection id; `null` when the app server sent it over REST. */
  from: string | null;
  signalType: string;
  data: string;
}

/** Positive answer to a request `id`. */
export interface AckMessage {
  type: 'ack';
  id: number;
}

/** Negative answer to a request `id`, or (without `id`) a problem with a message that had none. */
export interface ErrorMessage {
  type: 'error';
  id?: number;
  code: ErrorCode;
  message: string;
}

export interface PongMessage {
  type: 'pong';
  t?: number;
}

/** Sent just before the server closes the socket for good. */
export interface DisconnectedMessage {
  type: 'disconnected';
  reason: DisconnectReason;
  /** When set, the client may try again after this long (server shutdown, drain). */
  retryAfterMs?: number;
  /**
   * Other nodes of the deployment serve the session (a drained node of a multi-node deployment): the
   * client should join again after `retryAfterMs` rather than end the session.
   */
  rejoin?: boolean;
}

export type ServerMessage =
  | WelcomeMessage
  | ResumedMessage
  | ConnectionStateChangedMessage
  | SignalsDroppedMessage
  | ConnectionCreatedMessage
  | ConnectionDestroyedMessage
  | SignalDeliveryMessage
  | AckMessage
  | ErrorMessage
  | PongMessage
  | DisconnectedMessage
  | StreamServerMessage
  | PushServerMessage;
