import type { DisconnectReason } from './disconnect-reasons.js';

/** What a stream's video is, as OpenTok's `stream.videoType` says. */
export const VideoTypes = { camera: 'camera', screen: 'screen', custom: 'custom' } as const;
export type VideoType = (typeof VideoTypes)[keyof typeof VideoTypes];

/**
 * Why a stream ended. `unpublished`: its publisher called `unpublish()`. `mediaStopped`: the camera,
 * screen or custom track ended. `forceUnpublished` is reserved for a moderator's action. Otherwise the
 * publisher's connection left, and the stream goes with the same reason.
 */
export type StreamDestroyedReason = 'unpublished' | 'mediaStopped' | 'forceUnpublished' | DisconnectReason;

/**
 * Why a subscriber's audio or video was turned off or on. `publishAudio`/`publishVideo`: the publisher
 * did it; `subscribeToAudio`/`subscribeToVideo`: this subscriber did. The lifecycle reasons
 * (`background`, `interrupted`) are for a side that paused media because of the app's state.
 * `forceMuted`: a moderator (the app server's `forceMuteStream`/`forceMuteAll`) muted the publisher.
 */
export type SubscriberMediaReason =
  | 'publishAudio'
  | 'publishVideo'
  | 'subscribeToAudio'
  | 'subscribeToVideo'
  | 'background'
  | 'interrupted'
  | 'forceMuted';

/**
 * Why a stream property changed; `videoDimensions` changes carry `videoDimensions`, layout class
 * changes (the app server's `setStreamClassLists`) `layoutClassList`, and a moderator's mute `forceMuted`.
 */
export type StreamPropertyReason =
  | 'publishAudio'
  | 'publishVideo'
  | 'videoDimensions'
  | 'background'
  | 'interrupted'
  | 'layoutClassList'
  | 'forceMuted';

export type StreamProperty = 'hasAudio' | 'hasVideo' | 'videoDimensions' | 'layoutClassList';

/**
 * Limits on a stream's layout class list (OpenTok's `layoutClassList`). Names are CSS-class-safe so a
 * list can travel space-joined (as a token's `initial_layout_class_list` does) and be used in a
 * stylesheet unescaped; the joined list is capped at 1024 characters like the token field.
 */
export const LayoutClassLimits = {
  maxClasses: 64,
  maxClassLength: 64,
  /** Of the list joined with single spaces. */
  maxTotalLength: 1024,
  /** Source of the pattern every class name matches. */
  classPattern: '^[A-Za-z0-9_-]+$',
} as const;

export type MediaKind = 'audio' | 'video';

export interface VideoDimensions {
  width: number;
  height: number;
}

/** A STUN or TURN server, as `RTCIceServer`; the server's `iceServers` option reaches clients at connect. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** An ICE candidate as `RTCIceCandidateInit`; an empty `candidate` marks the end of candidates. */
export interface IceCandidateInfo {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** Media limits: a session description is at most 64 KiB of UTF-8 (Chrome's offers are ~5–10 KB). */
export const MediaLimits = {
  maxSdpBytes: 64 * 1024,
  maxStreamNameLength: 256,
  maxVideoDimension: 8192,
  /** Default cap on streams one connection may publish at once (server option `maxStreamsPerConnection`). */
  defaultMaxStreamsPerConnection: 4,
  /** Cap on streams one connection may subscribe to at once. */
  maxSubscriptionsPerConnection: 64,
} as const;
