/**
 * Effects are data: `transition()` returns them and an executor (the client SDK) applies them to its
 * publishers, subscribers and socket, in order. Nothing here runs anything.
 *
 * What peers see follows from the effects alone: `pauseCamera`/`stopAudio` turn `hasVideo`/`hasAudio`
 * off with their reason, `restoreCamera`/`restoreAudio` turn them on, and `set*` effects apply the app's
 * own toggles (or the SDK's giving up) with the reason they carry.
 */
import type { AudioInterruptionReason, MediaTarget } from './inputs.js';
import type { AnnouncedState, VideoPauseReason } from './state.js';

/** Why a `set*` effect changes a flag: the app asked, or the SDK gave up restoring, or may not restore. */
export const ToggleReasons = {
  /** The app's own `publishVideo`/`publishAudio`/`subscribeTo*` call. */
  app: 'app',
  /** Every restore attempt failed; the app must turn it on again (maybe after a user gesture). */
  restoreFailed: 'restoreFailed',
  /** `restoreCamera: false`: the SDK hands a camera it paused back to the app, turned off. */
  restoreDisabled: 'restoreDisabled',
} as const;
export type ToggleReason = (typeof ToggleReasons)[keyof typeof ToggleReasons];

/** Why the connection state is announced: back in front, gone to the background, or who took the audio. */
export type AnnounceReason = 'foreground' | 'background' | AudioInterruptionReason;

/** Pause the camera track (keep the capturer if the platform allows); `hasVideo` false with `reason`. */
export interface PauseCameraEffect {
  readonly type: 'pauseCamera';
  readonly publisherId: string;
  readonly reason: VideoPauseReason;
}
/**
 * Turn camera video back on; `hasVideo` true. Report `videoRestoreVerified` once frames flow, before
 * `verifyBy` (ms on the engine's clock), or the engine emits `videoRestoreFailed` and retries.
 */
export interface RestoreCameraEffect {
  readonly type: 'restoreCamera';
  readonly publisherId: string;
  /** 1 for the first try after a pause, then 2, 3… for retries. */
  readonly attempt: number;
  readonly verifyBy: number;
}
/** Apply `publishVideo(enabled)`. */
export interface SetPublishVideoEffect {
  readonly type: 'setPublishVideo';
  readonly publisherId: string;
  readonly enabled: boolean;
  readonly reason: ToggleReason;
}
/** Apply `publishAudio(enabled)`. */
export interface SetPublishAudioEffect {
  readonly type: 'setPublishAudio';
  readonly publisherId: string;
  readonly enabled: boolean;
  readonly reason: ToggleReason;
}
/** Apply `subscribeToVideo(enabled)`. */
export interface SetSubscribeToVideoEffect {
  readonly type: 'setSubscribeToVideo';
  readonly subscriberId: string;
  readonly enabled: boolean;
  readonly reason: ToggleReason;
}
/** Apply `subscribeToAudio(enabled)`. */
export interface SetSubscribeToAudioEffect {
  readonly type: 'setSubscribeToAudio';
  readonly subscriberId: string;
  readonly enabled: boolean;
  readonly reason: ToggleReason;
}
/** Stop a publisher's or subscriber's audio; peers see `hasAudio` false / `audioDisabled` with the reason. */
export interface StopAudioEffect {
  readonly type: 'stopAudio';
  readonly target: MediaTarget;
  readonly id: string;
  readonly reason: 'interrupted';
}
/** Restore audio the SDK stopped; report `audioRestoreVerified` before `verifyBy`. */
export interface RestoreAudioEffect {
  readonly type: 'restoreAudio';
  readonly target: MediaTarget;
  readonly id: string;
  readonly attempt: number;
  readonly verifyBy: number;
}
/** Set `subscribeToVideo` false to save bandwidth in the background (the app's flag is untouched). */
export interface DropSubscriberVideoEffect {
  readonly type: 'dropSubscriberVideo';
  readonly subscriberId: string;
  readonly reason: 'background';
}
/** Set `subscribeToVideo` true again after `dropSubscriberVideo`. */
export interface RestoreSubscriberVideoEffect {
  readonly type: 'restoreSubscriberVideo';
  readonly subscriberId: string;
}
/** Do not create the subscriber's video view yet (no new views in the background); audio plays now. */
export interface DeferVideoRendererEffect {
  readonly type: 'deferVideoRenderer';
  readonly subscriberId: string;
}
/** Create and attach the subscriber's video view. Executors create views only when told to. */
export interface AttachVideoRendererEffect {
  readonly type: 'attachVideoRenderer';
  readonly subscriberId: string;
}
/** Tell the server (and so every other connection) this connection's state. */
export interface AnnounceEffect {
  readonly type: 'announce';
  readonly state: AnnouncedState;
  readonly reason: AnnounceReason;
}
/** Ping the server with a short deadline; replace the socket at once if it does not answer. */
export interface ProbeConnectionEffect {
  readonly type: 'probeConnection';
  readonly deadlineMs: number;
  readonly reason: 'resume' | 'online';
  /** How long the process was suspended, when known: it must not count against the reconnect budget. */
  readonly suspendedMs: number | null;
}
/**
 * A warning event for the app. `backgroundWithoutMedia`: nothing keeps the app alive in the background,
 * so the OS (or a browser freezing hidden tabs) will suspend it.
 */
export interface WarnEffect {
  readonly type: 'warn';
  readonly code: 'backgroundWithoutMedia';
}
/** Emit `videoRestoreFailed` on the publisher. `retryInMs` null: no more retries, video was turned off. */
export interface VideoRestoreFailedEffect {
  readonly type: 'videoRestoreFailed';
  readonly publisherId: string;
  readonly attempt: number;
  readonly retryInMs: number | null;
}
/** Emit `audioRestoreFailed`. `retryInMs` null: no more retries, the audio flag was turned off. */
export interface AudioRestoreFailedEffect {
  readonly type: 'audioRestoreFailed';
  readonly target: MediaTarget;
  readonly id: string;
  readonly attempt: number;
  readonly retryInMs: number | null;
}

/** One effect, discriminated on `type`. */
export type LifecycleEffect =
  | PauseCameraEffect
  | RestoreCameraEffect
  | SetPublishVideoEffect
  | SetPublishAudioEffect
  | SetSubscribeToVideoEffect
  | SetSubscribeToAudioEffect
  | StopAudioEffect
  | RestoreAudioEffect
  | DropSubscriberVideoEffect
  | RestoreSubscriberVideoEffect
  | DeferVideoRendererEffect
  | AttachVideoRendererEffect
  | AnnounceEffect
  | ProbeConnectionEffect
  | WarnEffect
  | VideoRestoreFailedEffect
  | AudioRestoreFailedEffect;

/** The `type` of every effect. */
export type LifecycleEffectType = LifecycleEffect['type'];
