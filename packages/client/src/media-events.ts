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
  /** Something failed after `publish()` resolved (e.g. a peer connection could not be set up). */
  error: { error: VigilError };
  /** An app listener threw; the SDK carried on. */
  exception: { error: unknown; event: string };
};

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
  error: { error: VigilError };
  exception: { error: unknown; event: string };
};
