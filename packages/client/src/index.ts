/**
 * @vigil/client — Vigil's client SDK for browsers, React Native and Node, shaped like OpenTok's.
 *
 * @example
 * import { initSession } from '@vigil/client';
 * const session = initSession(apiKey, sessionId, { url: 'http://127.0.0.1:4000' });
 * await session.connect(token);
 */
import { Publisher, type PublisherOptions } from './publisher.js';
import { Session, type SessionOptions } from './session.js';
import type { VideoTarget } from './media/video-element.js';

/** Creates a session object; nothing happens on the network until `connect(token)`. */
export function initSession(apiKey: string, sessionId: string, options?: SessionOptions): Session {
  return new Session(apiKey, sessionId, options);
}

/**
 * Opens the camera and microphone (or the tracks you pass) and, when `target` (an element or its id)
 * is given, shows a local preview in it. Publish it with `session.publish(publisher)`.
 */
export function initPublisher(target?: VideoTarget, options?: PublisherOptions): Publisher {
  return new Publisher(target, options);
}

// Session
export { Session, SessionStates } from './session.js';
export type { SessionOptions, SessionState } from './session.js';
export type { SessionEvents, SignalEvent } from './session-events.js';
export type { SignalOptions } from './signal-options.js';
export type { PushRegistrationOptions, InviteEvent } from './push-client.js';
export { Connection } from './connection.js';
export { Emitter } from './emitter.js';

// Audio and video
export { Publisher } from './publisher.js';
export type { PublisherOptions } from './publisher.js';
export { Subscriber } from './subscriber.js';
export type { SubscribeOptions } from './subscriber.js';
export { Stream } from './stream.js';
export type { PublisherEvents, SubscriberEvents, SubscriberMediaEvent, RestoreFailedEvent } from './media-events.js';
export type { SubscriberStats } from './media/media-stats.js';
export type { VideoTarget } from './media/video-element.js';
export type { MediaSource } from './media/user-media.js';
export { VideoTypes } from '@vigil/protocol';
export type { VideoType, VideoDimensions, StreamDestroyedReason, StreamProperty, StreamPropertyReason, SubscriberMediaReason, IceServer } from '@vigil/protocol';

// Lifecycle
export { LifecycleController } from './lifecycle-controller.js';
export type { SessionLifecycleOptions, MediaEffectHandler, LifecycleSessionHooks } from './lifecycle-controller.js';

// Platform
export type { ClientClock } from './clock.js';
export type { WebSocketConstructor, WebSocketLike } from './websocket-like.js';

// Errors and reasons, from the protocol
export { VigilError, isVigilError, ErrorCodes, DisconnectReasons } from '@vigil/protocol';
export type { ErrorCode, DisconnectReason } from '@vigil/protocol';
