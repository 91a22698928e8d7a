/**
 * Verification and retry of restores (lifecycle.md rules 2 and 5): a restore must show media within
 * `verifyTimeoutMs`, else it fails and is retried with exponential backoff; after `maxAttempts` the SDK
 * gives up and turns the flag off, so peers are not shown a frozen frame or told of silent audio.
 */
import type { LifecycleEffect } from './effects.js';
import type { MediaTarget } from './inputs.js';
import type { ResolvedLifecycleOptions, RetryOptions } from './options.js';
import type { PublisherState, RestoreProgress, SubscriberState } from './state.js';

/** Delay before retry number `attempt + 1`, in ms: doubles from `initialDelayMs`, capped at `maxDelayMs`. */
export function backoffDelayMs(attempt: number, retry: Required<RetryOptions>): number {
  // No jitter: one client retries its own camera, there is no herd to spread, and purity wants no randomness.
  return Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** Math.max(0, attempt - 1));
}

/** A restore waiting for the executor to confirm that media flows. */
export type VerifyingRestore = Extract<RestoreProgress, { phase: 'verifying' }>;

/** A fresh verification window for `attempt`. */
export function startRestore(
  attempt: number,
  now: number,
  options: ResolvedLifecycleOptions,
): VerifyingRestore {
  return { phase: 'verifying', attempt, verifyBy: now + options.verifyTimeoutMs };
}

/** The same progress with its deadline moved later, e.g. by the time the process spent suspended. */
export function shiftRestore(progress: RestoreProgress | null, byMs: number): RestoreProgress | null {
  if (progress === null || byMs <= 0) {
    return progress;
  }
  return progress.phase === 'verifying'
    ? { ...progress, verifyBy: progress.verifyBy + byMs }
    : { ...progress, retryAt: progress.retryAt + byMs };
}

interface Outcome {
  readonly progress: RestoreProgress | null;
  /** Set when this step failed an attempt; `retryInMs` null means it was the last one. */
  readonly failed: { readonly attempt: number; readonly retryInMs: number | null } | null;
  /** Set when this step started a new attempt (the caller emits the restore effect again). */
  readonly retried: VerifyingRestore | null;
}

/** Moves one restore on, at a tick (`reported` false) or on an executor failure report (`reported` true). */
function advance(
  progress: RestoreProgress,
  now: number,
  options: ResolvedLifecycleOptions,
  reported: boolean,
): Outcome {
  const unchanged: Outcome = { progress, failed: null, retried: null };
  if (progress.phase === 'backoff') {
    // A late failure report for an attempt that already failed changes nothing.
    if (reported || now < progress.retryAt) {
      return unchanged;
    }
    const retried = startRestore(progress.attempt + 1, now, options);
    return { progress: retried, failed: null, retried };
  }
  if (!reported && now < progress.verifyBy) {
    return unchanged;
  }
  const { attempt } = progress;
  if (attempt >= options.retry.maxAttempts) {
    return { progress: null, failed: { attempt, retryInMs: null }, retried: null };
  }
  const retryInMs = backoffDelayMs(attempt, options.retry);
  return {
    progress: { phase: 'backoff', attempt, retryAt: now + retryInMs },
    failed: { attempt, retryInMs },
    retried: null,
  };
}

/** Advances a publisher's camera restore, pushing failure, retry and give-up effects to `out`. */
export function advanceVideoRestore(
  publisher: PublisherState,
  now: number,
  options: ResolvedLifecycleOptions,
  reported: boolean,
  out: LifecycleEffect[],
): PublisherState {
  if (publisher.videoRestore === null) {
    return publisher;
  }
  const o = advance(publisher.videoRestore, now, options, reported);
  const publisherId = publisher.id;
  if (o.failed !== null) {
    out.push({ type: 'videoRestoreFailed', publisherId, ...o.failed });
    if (o.failed.retryInMs === null) {
      out.push({ type: 'setPublishVideo', publisherId, enabled: false, reason: 'restoreFailed' });
      return { ...publisher, wantsVideo: false, videoRestore: null };
    }
  }
  if (o.retried !== null) {
    const { attempt, verifyBy } = o.retried;
    out.push({ type: 'restoreCamera', publisherId, attempt, verifyBy });
  }
  return o.progress === publisher.videoRestore ? publisher : { ...publisher, videoRestore: o.progress };
}

/** Advances a publisher's or subscriber's audio restore, pushing its effects to `out`. */
export function advanceAudioRestore<T extends PublisherState | SubscriberState>(
  target: MediaTarget,
  entity: T,
  now: number,
  options: ResolvedLifecycleOptions,
  reported: boolean,
  out: LifecycleEffect[],
): T {
  if (entity.audioRestore === null) {
    return entity;
  }
  const o = advance(entity.audioRestore, now, options, reported);
  const id = entity.id;
  if (o.failed !== null) {
    out.push({ type: 'audioRestoreFailed', target, id, ...o.failed });
    if (o.failed.retryInMs === null) {
      out.push(
        target === 'publisher'
          ? { type: 'setPublishAudio', publisherId: id, enabled: false, reason: 'restoreFailed' }
          : { type: 'setSubscribeToAudio', subscriberId: id, enabled: false, reason: 'restoreFailed' },
      );
      return { ...entity, wantsAudio: false, audioRestore: null };
    }
  }
  if (o.retried !== null) {
    const { attempt, verifyBy } = o.retried;
    out.push({ type: 'restoreAudio', target, id, attempt, verifyBy });
  }
  return o.progress === entity.audioRestore ? entity : { ...entity, audioRestore: o.progress };
}
