/**
 * Everything the lifecycle engine reacts to: platform signals from an adapter (browser, React Native,
 * simulator), the app's own media intents, the executor's verification results, and timer ticks.
 *
 * App intents go through the engine (not straight to the media layer) because only the engine knows
 * whether the SDK is holding something off, and so whether a toggle takes effect now or on return.
 */

/** The platform's view of the app. `inactive` (iOS: a call banner, the app switcher) changes nothing. */
export const AppStates = {
  active: 'active',
  inactive: 'inactive',
  background: 'background',
} as const;
export type AppState = (typeof AppStates)[keyof typeof AppStates];

/** Who took the audio session away. */
export const AudioInterruptionReasons = {
  call: 'call',
  facetime: 'facetime',
  otherApp: 'otherApp',
} as const;
export type AudioInterruptionReason =
  (typeof AudioInterruptionReasons)[keyof typeof AudioInterruptionReasons];

/** Where a stream's video comes from. Only `camera` is taken away by the OS in the background. */
export const VideoSources = {
  camera: 'camera',
  screen: 'screen',
  custom: 'custom',
} as const;
export type VideoSource = (typeof VideoSources)[keyof typeof VideoSources];

/** Network reachability as the platform reports it. */
export const NetworkStatuses = {
  online: 'online',
  offline: 'offline',
} as const;
export type NetworkStatus = (typeof NetworkStatuses)[keyof typeof NetworkStatuses];

/** Which side of the session an audio effect or result concerns. */
export const MediaTargets = {
  publisher: 'publisher',
  subscriber: 'subscriber',
} as const;
export type MediaTarget = (typeof MediaTargets)[keyof typeof MediaTargets];

// Platform signals (lifecycle.md, "Inputs")

/** The app became active, inactive or went to the background. */
export interface AppStateInput {
  readonly type: 'appState';
  readonly state: AppState;
}
/** The process is about to be frozen (browser `freeze`, a process stop, the OS suspending it). */
export interface SuspendInput {
  readonly type: 'suspend';
}
/** The process runs again. Any other input (but `tick`) while suspended also counts as a resume. */
export interface ResumeInput {
  readonly type: 'resume';
}
/** A phone/FaceTime call or another app took the audio session. */
export interface AudioInterruptionBeganInput {
  readonly type: 'audioInterruptionBegan';
  readonly reason: AudioInterruptionReason;
}
/** The audio session is ours again. */
export interface AudioInterruptionEndedInput {
  readonly type: 'audioInterruptionEnded';
}
/** The OS took the camera (another app, split view, the camera track muted or ended). */
export interface CameraInterruptionBeganInput {
  readonly type: 'cameraInterruptionBegan';
}
/** The camera is available again. */
export interface CameraInterruptionEndedInput {
  readonly type: 'cameraInterruptionEnded';
}
/** The platform went online or offline. */
export interface NetworkInput {
  readonly type: 'network';
  readonly status: NetworkStatus;
}

// App intents

/** The app started publishing. The flags are the app's initial `publishVideo` / `publishAudio`. */
export interface PublisherAddedInput {
  readonly type: 'publisherAdded';
  readonly publisherId: string;
  readonly source: VideoSource;
  readonly publishVideo: boolean;
  readonly publishAudio: boolean;
}
/** The app stopped publishing (or the publisher was destroyed). */
export interface PublisherRemovedInput {
  readonly type: 'publisherRemoved';
  readonly publisherId: string;
}
/** The app subscribed to a stream; `source` is the remote stream's video source. */
export interface SubscriberAddedInput {
  readonly type: 'subscriberAdded';
  readonly subscriberId: string;
  readonly source: VideoSource;
  readonly subscribeToVideo: boolean;
  readonly subscribeToAudio: boolean;
}
/** The app unsubscribed (or the stream went away). */
export interface SubscriberRemovedInput {
  readonly type: 'subscriberRemoved';
  readonly subscriberId: string;
}
/** The app called `publisher.publishVideo(value)`. */
export interface PublishVideoInput {
  readonly type: 'publishVideo';
  readonly publisherId: string;
  readonly value: boolean;
}
/** The app called `publisher.publishAudio(value)`. */
export interface PublishAudioInput {
  readonly type: 'publishAudio';
  readonly publisherId: string;
  readonly value: boolean;
}
/** The app called `subscriber.subscribeToVideo(value)`. */
export interface SubscribeToVideoInput {
  readonly type: 'subscribeToVideo';
  readonly subscriberId: string;
  readonly value: boolean;
}
/** The app called `subscriber.subscribeToAudio(value)`. */
export interface SubscribeToAudioInput {
  readonly type: 'subscribeToAudio';
  readonly subscriberId: string;
  readonly value: boolean;
}

// Results reported by the effect executor

/** Frames flow again after a `restoreCamera`. */
export interface VideoRestoreVerifiedInput {
  readonly type: 'videoRestoreVerified';
  readonly publisherId: string;
}
/** The executor knows early that a `restoreCamera` failed (track ended, permission lost). */
export interface VideoRestoreFailedInput {
  readonly type: 'videoRestoreFailed';
  readonly publisherId: string;
}
/** Audio level or packets show that a `restoreAudio` worked. */
export interface AudioRestoreVerifiedInput {
  readonly type: 'audioRestoreVerified';
  readonly target: MediaTarget;
  readonly id: string;
}
/** The executor knows early that a `restoreAudio` failed (e.g. playback needs a user gesture). */
export interface AudioRestoreFailedInput {
  readonly type: 'audioRestoreFailed';
  readonly target: MediaTarget;
  readonly id: string;
}

// Time

/** A timer fired: verification deadlines and retry backoffs are checked against `now`. */
export interface TickInput {
  readonly type: 'tick';
}

/**
 * One input to `transition()`, discriminated on `type`.
 *
 * @example
 * transition(state, { type: 'appState', state: 'background' }, Date.now());
 */
export type LifecycleInput =
  | AppStateInput
  | SuspendInput
  | ResumeInput
  | AudioInterruptionBeganInput
  | AudioInterruptionEndedInput
  | CameraInterruptionBeganInput
  | CameraInterruptionEndedInput
  | NetworkInput
  | PublisherAddedInput
  | PublisherRemovedInput
  | SubscriberAddedInput
  | SubscriberRemovedInput
  | PublishVideoInput
  | PublishAudioInput
  | SubscribeToVideoInput
  | SubscribeToAudioInput
  | VideoRestoreVerifiedInput
  | VideoRestoreFailedInput
  | AudioRestoreVerifiedInput
  | AudioRestoreFailedInput
  | TickInput;

/** The `type` of every input. */
export type LifecycleInputType = LifecycleInput['type'];
