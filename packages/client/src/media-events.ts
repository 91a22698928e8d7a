import type { StreamDestroyedReason, SubscriberMediaReason, VigilError } from '@vigil/protocol';
import type { Stream } from './stream.js';

/** Every event a `Publisher` emits. */
export type PublisherEvents = {
  /** The camera and microphone (or the given tracks) are ready. */
  accessAllowed: Record<string, never>;
  /** The user or the browser refused access (`MEDIA_ACCESS_DENIED`), or no such device (`MEDIA_DEVICE_NOT_FOUND`). */
  accessDenied: { error: VigilError };
  /** Your stream is up: everyone in the session can subscribe to it. */
  streamCreated: { stream: Stream };
  /** Your stream ended: `unpublished`, `mediaStopped`, or the session's disconnect reason. */
  streamDestroyed: { stream: Stream; reason: StreamDestroyedReason };
  /** A published track ended (camera unplugged, screen sharing stopped, custom track stopped). */
  mediaStopped: { track: MediaStreamTrack };
  /** The local preview element was created. */
  videoElementCreated: { element: HTMLVideoElement };
  /**
   * A moderator (the app server's `forceMuteStream`/`forceMuteAll`) muted your audio: `publishAudio` is
   * now false and nothing is sent. You may turn it back on with `publishAudio(true)`, as in OpenTok.
   */
  muteForced: Record<string, never>;
  /** Something failed after `publish()` resolved (e.g. a peer connection could not be set up). */
  error: { error: VigilError };
  /**
   * The lifecycle engine turned the camera back on but no frames flowed within `verifyTimeoutMs`
   * (default 2 s). `retryInMs` null: it gave up and turned video off (`publishVideo(true)` to try again).
   */
  videoRestoreFailed: RestoreFailedEvent;
  /** Like `videoRestoreFailed`, for audio stopped by an interruption (no packets after it ended). */
  audioRestoreFailed: RestoreFailedEvent;
  /** An app listener threw; the SDK carried on. */
  exception: { error: unknown; event: string };
};

/** A lifecycle restore that did not bring media back. Retried after `retryInMs` unless it is null. */
export interface RestoreFailedEvent {
  /** 1 for the first try after the pause, then 2, 3… */
  attempt: number;
  /** When the next attempt starts, in ms; null when this was the last one (the flag was turned off). */
  retryInMs: number | null;
}

export interface SubscriberMediaEvent {
  reason: SubscriberMediaReason;
}

/** Every event a `Subscriber` emits. Reasons follow OpenTok's. */
export type SubscriberEvents = {
  /** Media is flowing (the peer connection connected). */
  connected: Record<string, never>;
  videoDisabled: SubscriberMediaEvent;
  videoEnabled: SubscriberMediaEvent;
  audioDisabled: SubscriberMediaEvent;
  audioEnabled: SubscriberMediaEvent;
  /** The video element was created (and inserted into the target, when one was given). */
  videoElementCreated: { element: HTMLVideoElement };
  /** The subscriber ended: you unsubscribed (`unsubscribed`), the stream ended (its reason), or you left. */
  destroyed: { reason: StreamDestroyedReason | 'unsubscribed' };
  /** Audio muted for an interruption did not come back after it ended (no packets arrived). */
  audioRestoreFailed: RestoreFailedEvent;
  error: { error: VigilError };
  exception: { error: unknown; event: string };
};
