/**
 * @vigil/lifecycle — the pure engine behind Vigil's background behaviour: platform signals and app
 * intents in, effects (pause/restore media, announce to peers, probe the socket) out. See README.md.
 */

// The engine
export { transition } from './transition.js';
export { createLifecycleState, VideoPauseReasons, AnnouncedStates } from './state.js';
export type {
  LifecycleState,
  PublisherState,
  SubscriberState,
  RendererState,
  RestoreProgress,
  VideoPauseReason,
  AnnouncedState,
} from './state.js';

// Options
export { resolveLifecycleOptions, LifecyclePolicies, LIFECYCLE_DEFAULTS } from './options.js';
export type {
  LifecycleOptions,
  ResolvedLifecycleOptions,
  LifecyclePolicy,
  RetryOptions,
} from './options.js';

// Inputs
export {
  AppStates,
  AudioInterruptionReasons,
  VideoSources,
  NetworkStatuses,
  MediaTargets,
} from './inputs.js';
export type {
  LifecycleInput,
  LifecycleInputType,
  AppState,
  AudioInterruptionReason,
  VideoSource,
  NetworkStatus,
  MediaTarget,
  AppStateInput,
  SuspendInput,
  ResumeInput,
  AudioInterruptionBeganInput,
  AudioInterruptionEndedInput,
  CameraInterruptionBeganInput,
  CameraInterruptionEndedInput,
  NetworkInput,
  PublisherAddedInput,
  PublisherRemovedInput,
  SubscriberAddedInput,
  SubscriberRemovedInput,
  PublishVideoInput,
  PublishAudioInput,
  SubscribeToVideoInput,
  SubscribeToAudioInput,
  VideoRestoreVerifiedInput,
  VideoRestoreFailedInput,
  AudioRestoreVerifiedInput,
  AudioRestoreFailedInput,
  TickInput,
} from './inputs.js';

// Effects
export { ToggleReasons } from './effects.js';
export type {
  LifecycleEffect,
  LifecycleEffectType,
  ToggleReason,
  AnnounceReason,
  PauseCameraEffect,
  RestoreCameraEffect,
  SetPublishVideoEffect,
  SetPublishAudioEffect,
  SetSubscribeToVideoEffect,
  SetSubscribeToAudioEffect,
  StopAudioEffect,
  RestoreAudioEffect,
  DropSubscriberVideoEffect,
  RestoreSubscriberVideoEffect,
  DeferVideoRendererEffect,
  AttachVideoRendererEffect,
  AnnounceEffect,
  ProbeConnectionEffect,
  WarnEffect,
  VideoRestoreFailedEffect,
  AudioRestoreFailedEffect,
} from './effects.js';

// Reading the state
export {
  announcedStateOf,
  hasActiveMedia,
  nextDeadline,
  isPublisherVideoOn,
  isPublisherAudioOn,
  isSubscriberVideoOn,
  isSubscriberAudioOn,
} from './queries.js';
export { backoffDelayMs } from './restore.js';

// Running it: time and the runner
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { createLifecycleEngine, LifecycleEngine } from './engine.js';
export type { LifecycleEngineOptions } from './engine.js';

// Platform adapters
export { createBrowserAdapter, isMobileBrowser } from './adapters/browser.js';
export type { BrowserAdapter, BrowserAdapterOptions, BrowserEnvironment, TrackLike } from './adapters/browser.js';
export { createReactNativeAdapter } from './adapters/react-native.js';
export type {
  ReactNativeAdapter,
  ReactNativeAdapterOptions,
  AppStateModule,
  AudioSessionEvents,
  NetworkEvents,
} from './adapters/react-native.js';
