import type {
  IceCandidateInfo,
  MediaKind,
  StreamDestroyedReason,
  StreamProperty,
  StreamPropertyReason,
  SubscriberMediaReason,
  VideoDimensions,
  VideoType,
} from '../streams.js';

// Server → client messages for audio and video. Built by the server, so described by types only.

/** A stream as every member of the session sees it. */
export interface StreamInfo {
  id: string;
  /** The publisher's connection. */
  connectionId: string;
  name: string;
  videoType: VideoType;
  hasAudio: boolean;
  hasVideo: boolean;
  videoDimensions?: VideoDimensions;
  /** OpenTok's layout classes (for archives and broadcasts); set by the app server's `setStreamClassLists`. */
  layoutClassList: string[];
  /** Milliseconds since the epoch. */
  creationTime: number;
}

export interface StreamCreatedMessage {
  type: 'streamCreated';
  stream: StreamInfo;
}

export interface StreamDestroyedMessage {
  type: 'streamDestroyed';
  streamId: string;
  reason: StreamDestroyedReason;
}

/** What a changed property holds: a flag, a size, or (for `layoutClassList`) class names. */
export type StreamPropertyValue = boolean | VideoDimensions | string[] | null;

export interface StreamPropertyChangedMessage {
  type: 'streamPropertyChanged';
  streamId: string;
  changedProperty: StreamProperty;
  oldValue: StreamPropertyValue;
  newValue: StreamPropertyValue;
  reason: StreamPropertyReason;
}

/**
 * To a publisher: a moderator muted your stream's audio (`forceMuteStream`, `forceMuteAll`, or a
 * stream published while `forceMuteAll` is active). The server has already set `hasAudio` false and
 * told everyone (`streamPropertyChanged`, reason `forceMuted`); the publisher stops sending audio.
 * As in OpenTok, the publisher may turn its audio back on (`updateStream` `hasAudio: true`).
 */
export interface StreamMuteForcedMessage {
  type: 'streamMuteForced';
  streamId: string;
}

/**
 * To every member: the session's mute state began (`forceMuteAll`, `active: true`) or ended
 * (`disableForceMute`, `active: false`), OpenTok's Session `muteForced` event.
 */
export interface MuteForcedMessage {
  type: 'muteForced';
  active: boolean;
}

/** Relayed mode, to a publisher: someone subscribed to your stream; offer them a peer connection. */
export interface SubscriptionCreatedMessage {
  type: 'subscriptionCreated';
  subscriptionId: string;
  streamId: string;
  /** The subscriber's connection. */
  connectionId: string;
  subscribeToAudio: boolean;
  subscribeToVideo: boolean;
}

/** Relayed mode, to a publisher: a subscriber turned its audio or video off or on; stop or resume sending. */
export interface SubscriptionChangedMessage {
  type: 'subscriptionChanged';
  subscriptionId: string;
  streamId: string;
  subscribeToAudio: boolean;
  subscribeToVideo: boolean;
}

/** Relayed mode, to a publisher: this subscription ended (unsubscribed, or its connection left). */
export interface SubscriptionDestroyedMessage {
  type: 'subscriptionDestroyed';
  subscriptionId: string;
  streamId: string;
}

/** An offer or answer for one of your peer connections (see `SdpMessage` for the keys). */
export interface SdpDeliveryMessage {
  type: 'sdp';
  streamId: string;
  subscriptionId?: string;
  sdpType: 'offer' | 'answer';
  sdp: string;
}

export interface IceDeliveryMessage {
  type: 'ice';
  streamId: string;
  subscriptionId?: string;
  candidate: IceCandidateInfo;
}

/** To a subscriber: its audio or video was turned off or on, and why (`videoDisabled` and friends). */
export interface SubscriberMediaMessage {
  type: 'subscriberMedia';
  subscriptionId: string;
  streamId: string;
  kind: MediaKind;
  enabled: boolean;
  reason: SubscriberMediaReason;
}

export type StreamServerMessage =
  | StreamCreatedMessage
  | StreamDestroyedMessage
  | StreamPropertyChangedMessage
  | SubscriptionCreatedMessage
  | SubscriptionChangedMessage
  | SubscriptionDestroyedMessage
  | SdpDeliveryMessage
  | IceDeliveryMessage
  | SubscriberMediaMessage
  | StreamMuteForcedMessage
  | MuteForcedMessage;
