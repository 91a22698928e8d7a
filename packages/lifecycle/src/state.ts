import type {
  AppState,
  AudioInterruptionReason,
  NetworkStatus,
  VideoSource,
} from './inputs.js';
import { resolveLifecycleOptions } from './options.js';
import type { LifecycleOptions, ResolvedLifecycleOptions } from './options.js';

/** Why the SDK (not the app) is holding a publisher's camera video off. */
export const VideoPauseReasons = {
  background: 'background',
  interrupted: 'interrupted',
} as const;
export type VideoPauseReason = (typeof VideoPauseReasons)[keyof typeof VideoPauseReasons];

/** What peers are told about this connection (`connectionStateChanged`). */
export const AnnouncedStates = {
  active: 'active',
  background: 'background',
  interrupted: 'interrupted',
} as const;
export type AnnouncedState = (typeof AnnouncedStates)[keyof typeof AnnouncedStates];

/**
 * A restore in progress: either waiting for the executor to confirm media flows (until `verifyBy`), or
 * waiting out the backoff after a failed attempt (until `retryAt`). Times are ms on the engine's clock.
 */
export type RestoreProgress =
  | { readonly phase: 'verifying'; readonly attempt: number; readonly verifyBy: number }
  | { readonly phase: 'backoff'; readonly attempt: number; readonly retryAt: number };

/**
 * One local publisher. `wants*` is the app's intent; the other fields are what the SDK did on its own.
 * Invariants: `videoPausedFor` is non-empty only if `wantsVideo`; `audioStopped` only if `wantsAudio`.
 */
export interface PublisherState {
  readonly id: string;
  readonly source: VideoSource;
  readonly wantsVideo: boolean;
  readonly wantsAudio: boolean;
  /** Every current reason the SDK holds the video off; empty when it is not holding it. */
  readonly videoPausedFor: readonly VideoPauseReason[];
  /** The SDK stopped the audio for an interruption. */
  readonly audioStopped: boolean;
  readonly videoRestore: RestoreProgress | null;
  readonly audioRestore: RestoreProgress | null;
}

/**
 * Where a subscriber's video view is. `pending`: just added, the engine has not decided yet (it always
 * decides in the same transition); `deferred`: created in the background, attached on return.
 */
export type RendererState = 'pending' | 'deferred' | 'attached';

/** One subscriber. `wants*` is the app's intent; the other fields are what the SDK did on its own. */
export interface SubscriberState {
  readonly id: string;
  readonly source: VideoSource;
  readonly wantsVideo: boolean;
  readonly wantsAudio: boolean;
  /** The SDK set `subscribeToVideo` false in the background. */
  readonly videoDropped: boolean;
  readonly renderer: RendererState;
  /** The SDK stopped the audio for an interruption. */
  readonly audioStopped: boolean;
  readonly audioRestore: RestoreProgress | null;
}

/**
 * The whole engine state. Plain, immutable data: `transition()` returns a new object, and the state
 * can be logged or compared as JSON.
 */
export interface LifecycleState {
  readonly options: ResolvedLifecycleOptions;
  /** The last app state the platform reported. */
  readonly appState: AppState;
  /**
   * Set by `background`, cleared only by `active`: iOS goes background → inactive → active, and the
   * camera must stay off until the app is really active again.
   */
  readonly backgrounded: boolean;
  /** When the process was suspended (ms), or null while it runs. */
  readonly suspendedAt: number | null;
  /** The current audio interruption, or null. Only recorded when `stopAudioOnInterruption` is on. */
  readonly audioInterruption: AudioInterruptionReason | null;
  readonly cameraInterrupted: boolean;
  readonly network: NetworkStatus;
  /** The connection state last announced to peers. */
  readonly announced: AnnouncedState;
  /** A `backgroundWithoutMedia` warning was emitted and its condition still holds. */
  readonly warnedWithoutMedia: boolean;
  readonly publishers: readonly PublisherState[];
  readonly subscribers: readonly SubscriberState[];
}

/**
 * Creates the initial state. Throws `TypeError` for invalid options (see `resolveLifecycleOptions`).
 *
 * @example
 * const state = createLifecycleState({ policy: 'desktop', pauseCameraInBackground: true });
 */
export function createLifecycleState(options: LifecycleOptions = {}): LifecycleState {
  const resolved = resolveLifecycleOptions(options);
  const appState = options.appState ?? 'active';
  if (appState !== 'active' && appState !== 'inactive' && appState !== 'background') {
    throw new TypeError(`appState must be active, inactive or background, got ${String(appState)}`);
  }
  const backgrounded = appState === 'background';
  return {
    options: resolved,
    appState,
    backgrounded,
    suspendedAt: null,
    audioInterruption: null,
    cameraInterrupted: false,
    network: 'online',
    // The client states this at connect (see `announcedStateOf`), so no announce effect is owed for it.
    announced: backgrounded ? 'background' : 'active',
    warnedWithoutMedia: false,
    publishers: [],
    subscribers: [],
  };
}
