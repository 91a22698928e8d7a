/**
 * @vigil/client — Vigil's client SDK for browsers, React Native and Node, shaped like OpenTok's.
 *
 * @example
 * import { initSession } from '@vigil/client';
 * const session = initSession(apiKey, sessionId, { url: 'http://127.0.0.1:4000' });
 * await session.connect(token);
 */
import { Session, type SessionOptions } from './session.js';

/** Creates a session object; nothing happens on the network until `connect(token)`. */
export function initSession(apiKey: string, sessionId: string, options?: SessionOptions): Session {
  return new Session(apiKey, sessionId, options);
}

// Session
export { Session, SessionStates } from './session.js';
export type { SessionOptions, SessionState } from './session.js';
export type { SessionEvents, SignalEvent } from './session-events.js';
export type { SignalOptions } from './signal-options.js';
export { Connection } from './connection.js';
export { Emitter } from './emitter.js';

// Lifecycle
export { LifecycleController } from './lifecycle-controller.js';
export type { SessionLifecycleOptions, MediaEffectHandler, LifecycleSessionHooks } from './lifecycle-controller.js';

// Platform
export type { ClientClock } from './clock.js';
export type { WebSocketConstructor, WebSocketLike } from './websocket-like.js';

// Errors and reasons, from the protocol
export { VigilError, isVigilError, ErrorCodes, DisconnectReasons } from '@vigil/protocol';
export type { ErrorCode, DisconnectReason } from '@vigil/protocol';
