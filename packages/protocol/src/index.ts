/**
 * @vigil/protocol — the wire contract shared by Vigil's server and clients: message schemas, error
 * codes, disconnect reasons, close codes, limits, ids and the session id format.
 */

// Errors
export { ErrorCodes, isErrorCode } from './error-codes.js';
export type { ErrorCode } from './error-codes.js';
export { VigilError, isBaseUrl, isVigilError } from './vigil-error.js';
export type { WireError } from './vigil-error.js';

// Reasons, codes, roles, limits, timers
export { DisconnectReasons, isDisconnectReason } from './disconnect-reasons.js';
export type { DisconnectReason } from './disconnect-reasons.js';
export { CloseCodes, closeCodeForReason, reasonForCloseCode } from './close-codes.js';
export { Roles, isRole } from './roles.js';
export type { Role } from './roles.js';
export { SignalLimits, MAX_CONNECTION_DATA_LENGTH, MAX_FRAME_BYTES, SIGNAL_TYPE_PATTERN, utf8Length } from './limits.js';
export { DEFAULT_TIMERS, MAX_SUSPEND_GRACE_MS } from './liveness-timers.js';
export type { LivenessTimers } from './liveness-timers.js';
export { PROTOCOL_VERSION, MIN_PROTOCOL_VERSION } from './version.js';

// Connection states
export { ConnectionStates, isConnectionState } from './connection-states.js';
export type { ConnectionState, AnnouncedState } from './connection-states.js';

// Ids
export { randomId, ID_PATTERN } from './ids.js';
export { MediaModes, createSessionId, parseSessionId } from './session-id.js';
export type { MediaMode, SessionIdFields } from './session-id.js';

// Messages
export {
  ClientMessageSchemas,
  PingMessage,
  SignalMessage,
  ForceDisconnectMessage,
  DisconnectMessage,
  ReceivedMessage,
  LifecycleMessage,
} from './messages/client-messages.js';
export type { ClientMessage, ClientMessageType } from './messages/client-messages.js';
export type {
  ServerMessage,
  ConnectionInfo,
  WelcomeMessage,
  ResumedMessage,
  ConnectionStateChangedMessage,
  SignalsDroppedMessage,
  ConnectionCreatedMessage,
  ConnectionDestroyedMessage,
  SignalDeliveryMessage,
  AckMessage,
  ErrorMessage,
  PongMessage,
  DisconnectedMessage,
} from './messages/server-messages.js';
export {
  StreamMessageSchemas,
  PublishMessage,
  UnpublishMessage,
  UpdateStreamMessage,
  SubscribeMessage,
  UnsubscribeMessage,
  UpdateSubscriptionMessage,
  SdpMessage,
  IceMessage,
} from './messages/stream-messages.js';
export type {
  StreamInfo,
  StreamServerMessage,
  StreamCreatedMessage,
  StreamDestroyedMessage,
  StreamPropertyChangedMessage,
  SubscriptionCreatedMessage,
  SubscriptionChangedMessage,
  SubscriptionDestroyedMessage,
  SdpDeliveryMessage,
  IceDeliveryMessage,
  SubscriberMediaMessage,
  StreamMuteForcedMessage,
  MuteForcedMessage,
  StreamPropertyValue,
} from './messages/stream-server-messages.js';
export { VideoTypes, MediaLimits, LayoutClassLimits } from './streams.js';
export type {
  VideoType,
  VideoDimensions,
  IceServer,
  IceCandidateInfo,
  MediaKind,
  StreamDestroyedReason,
  StreamProperty,
  StreamPropertyReason,
  SubscriberMediaReason,
} from './streams.js';
export { checkSdp } from './sdp-check.js';
export { PushMessageSchemas, RegisterPushMessage, SignalIdentityMessage, CreateInviteMessage, CancelInviteMessage, WebPushSubscriptionSchema } from './messages/push-messages.js';
export type { PushClientMessage } from './messages/push-messages.js';
export type { PushServerMessage, InviteMessage, InviteCancelledMessage } from './messages/push-server-messages.js';
export { PushKinds, isPushKind, IDENTITY_PATTERN, INVITE_ID_PATTERN, PushLimits } from './push.js';
export type { PushKind, WebPushSubscription } from './push.js';
export { parseClientMessage } from './message-parser.js';
export type { ParseResult } from './message-parser.js';
