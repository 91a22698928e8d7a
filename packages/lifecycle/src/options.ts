import type { AppState } from './inputs.js';

/**
 * Which platform rules apply.
 * - `mobile`: the OS takes the camera and forbids new video views in the background (iOS, Android).
 * - `desktop`: a hidden browser tab keeps its camera and can create views; the app may opt in to pausing.
 */
export const LifecyclePolicies = {
  mobile: 'mobile',
  desktop: 'desktop',
} as const;
export type LifecyclePolicy = (typeof LifecyclePolicies)[keyof typeof LifecyclePolicies];

/**
 * How failed camera/audio restores are retried:
 * delay after attempt n = min(maxDelayMs, initialDelayMs × 2^(n−1)).
 */
export interface RetryOptions {
  /** Delay after the first failed attempt, in ms. Default 1 000. */
  readonly initialDelayMs?: number;
  /** Upper bound of the delay, in ms. Default 8 000. */
  readonly maxDelayMs?: number;
  /** Attempts in all, the first included; after the last the SDK gives up. Default 5, at least 1. */
  readonly maxAttempts?: number;
}

/**
 * Policy and switches for `createLifecycleState()`. Every automatic behaviour can be switched off, except
 * where the OS decides for us: under the `mobile` policy the camera and new video views are not available
 * in the background whatever the app wants, so turning those two off there is a `TypeError`.
 */
export interface LifecycleOptions {
  /** Default `mobile`. */
  readonly policy?: LifecyclePolicy;
  /** The app state at creation. Default `active`. */
  readonly appState?: AppState;
  /** Pause camera video in the background. Always on for `mobile`; default off for `desktop`. */
  readonly pauseCameraInBackground?: boolean;
  /** Defer video views of subscribers added in the background. Always on for `mobile`; off for `desktop`. */
  readonly deferRenderersInBackground?: boolean;
  /**
   * Turn camera video back on when the SDK's reason to pause it is gone. Default true. When false the
   * SDK hands the paused camera over to the app as if it had called `publishVideo(false)`.
   */
  readonly restoreCamera?: boolean;
  /** Drop subscribers' video in the background (restored on active) to save bandwidth. Default true. */
  readonly dropVideoInBackground?: boolean;
  /** Stop publisher and subscriber audio during an audio interruption, and restore it after. Default true. */
  readonly stopAudioOnInterruption?: boolean;
  /** Emit `warn { code: 'backgroundWithoutMedia' }`. Default true. */
  readonly warnBackgroundWithoutMedia?: boolean;
  /** Probe the connection on resume and when the network comes back. Default true. */
  readonly probeOnResume?: boolean;
  /** Time a restore has to show frames (video) or level/packets (audio), in ms. Default 2 000. */
  readonly verifyTimeoutMs?: number;
  /** Deadline the client gives a probe ping before it replaces the socket, in ms. Default 1 500. */
  readonly probeDeadlineMs?: number;
  /** Retries of a failed restore. */
  readonly retry?: RetryOptions;
}

/** `LifecycleOptions` with every default filled in (the initial app state is kept in the state instead). */
export interface ResolvedLifecycleOptions {
  readonly policy: LifecyclePolicy;
  readonly pauseCameraInBackground: boolean;
  readonly deferRenderersInBackground: boolean;
  readonly restoreCamera: boolean;
  readonly dropVideoInBackground: boolean;
  readonly stopAudioOnInterruption: boolean;
  readonly warnBackgroundWithoutMedia: boolean;
  readonly probeOnResume: boolean;
  readonly verifyTimeoutMs: number;
  readonly probeDeadlineMs: number;
  readonly retry: Required<RetryOptions>;
}

/** Defaults of the numeric options, in ms (and attempts). */
export const LIFECYCLE_DEFAULTS = {
  verifyTimeoutMs: 2_000,
  probeDeadlineMs: 1_500,
  retry: { initialDelayMs: 1_000, maxDelayMs: 8_000, maxAttempts: 5 },
} as const;

/**
 * Fills in defaults and checks the options. Throws `TypeError` for a bad value, and for switching off,
 * under the `mobile` policy, something the OS enforces anyway (the state would then lie to peers).
 */
export function resolveLifecycleOptions(options: LifecycleOptions = {}): ResolvedLifecycleOptions {
  const policy = options.policy ?? 'mobile';
  if (policy !== 'mobile' && policy !== 'desktop') {
    throw new TypeError(`policy must be 'mobile' or 'desktop', got ${String(policy)}`);
  }
  const mobile = policy === 'mobile';
  for (const key of ['pauseCameraInBackground', 'deferRenderersInBackground'] as const) {
    if (mobile && options[key] === false) {
      throw new TypeError(`${key} cannot be false under the mobile policy: the OS enforces it`);
    }
  }
  const retry = options.retry ?? {};
  const resolved: ResolvedLifecycleOptions = {
    policy,
    pauseCameraInBackground: options.pauseCameraInBackground ?? mobile,
    deferRenderersInBackground: options.deferRenderersInBackground ?? mobile,
    restoreCamera: options.restoreCamera ?? true,
    dropVideoInBackground: options.dropVideoInBackground ?? true,
    stopAudioOnInterruption: options.stopAudioOnInterruption ?? true,
    warnBackgroundWithoutMedia: options.warnBackgroundWithoutMedia ?? true,
    probeOnResume: options.probeOnResume ?? true,
    verifyTimeoutMs: options.verifyTimeoutMs ?? LIFECYCLE_DEFAULTS.verifyTimeoutMs,
    probeDeadlineMs: options.probeDeadlineMs ?? LIFECYCLE_DEFAULTS.probeDeadlineMs,
    retry: {
      initialDelayMs: retry.initialDelayMs ?? LIFECYCLE_DEFAULTS.retry.initialDelayMs,
      maxDelayMs: retry.maxDelayMs ?? LIFECYCLE_DEFAULTS.retry.maxDelayMs,
      maxAttempts: retry.maxAttempts ?? LIFECYCLE_DEFAULTS.retry.maxAttempts,
    },
  };
  checkDuration('verifyTimeoutMs', resolved.verifyTimeoutMs);
  checkDuration('probeDeadlineMs', resolved.probeDeadlineMs);
  checkDuration('retry.initialDelayMs', resolved.retry.initialDelayMs);
  checkDuration('retry.maxDelayMs', resolved.retry.maxDelayMs);
  const attempts = resolved.retry.maxAttempts;
  if (!Number.isSafeInteger(attempts) || attempts < 1) {
    throw new TypeError(`retry.maxAttempts must be an integer >= 1, got ${String(attempts)}`);
  }
  return resolved;
}

function checkDuration(name: string, ms: number): void {
  // A zero deadline would fail every restore before the executor could possibly report frames.
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new TypeError(`${name} must be a positive number of ms, got ${String(ms)}`);
  }
}
