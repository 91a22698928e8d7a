/** Pure reads of a `LifecycleState`: what is on, what peers should see, when the next tick is due. */
import type { AnnounceReason } from './effects.js';
import type {
  AnnouncedState,
  LifecycleState,
  PublisherState,
  RestoreProgress,
  SubscriberState,
} from './state.js';

/** The publisher sends video: the app wants it and the SDK is not holding it off (`hasVideo`). */
export function isPublisherVideoOn(publisher: PublisherState): boolean {
  return publisher.wantsVideo && publisher.videoPausedFor.length === 0;
}

/** The publisher sends audio (`hasAudio`). */
export function isPublisherAudioOn(publisher: PublisherState): boolean {
  return publisher.wantsAudio && !publisher.audioStopped;
}

/** The subscriber receives video (its effective `subscribeToVideo`). */
export function isSubscriberVideoOn(subscriber: SubscriberState): boolean {
  return subscriber.wantsVideo && !subscriber.videoDropped;
}

/** The subscriber plays audio (its effective `subscribeToAudio`). */
export function isSubscriberAudioOn(subscriber: SubscriberState): boolean {
  return subscriber.wantsAudio && !subscriber.audioStopped;
}

/**
 * What this connection's state is, for peers: an audio interruption outranks the background because it
 * is what peers notice (they stop hearing us). The client sends this at connect; later changes arrive
 * as `announce` effects.
 */
export function announcedStateOf(state: LifecycleState): {
  state: AnnouncedState;
  reason: AnnounceReason;
} {
  if (state.audioInterruption !== null) {
    return { state: 'interrupted', reason: state.audioInterruption };
  }
  return state.backgrounded
    ? { state: 'background', reason: 'background' }
    : { state: 'active', reason: 'foreground' };
}

/**
 * Some publisher or subscriber is sending or receiving media. Without it a backgrounded app has no
 * reason to stay alive and the OS (or a browser freezing hidden tabs) will suspend it.
 */
export function hasActiveMedia(state: LifecycleState): boolean {
  return (
    state.publishers.some((p) => isPublisherVideoOn(p) || isPublisherAudioOn(p)) ||
    state.subscribers.some((s) => isSubscriberVideoOn(s) || isSubscriberAudioOn(s))
  );
}

/**
 * The earliest time (ms) at which a `tick` has work to do, or null. Null while suspended: a frozen
 * process runs no timers, and deadlines are moved on by the time spent suspended when it resumes.
 */
export function nextDeadline(state: LifecycleState): number | null {
  if (state.suspendedAt !== null) {
    return null;
  }
  let earliest: number | null = null;
  const consider = (progress: RestoreProgress | null): void => {
    if (progress !== null) {
      const at = dueAt(progress);
      earliest = earliest === null ? at : Math.min(earliest, at);
    }
  };
  for (const p of state.publishers) {
    consider(p.videoRestore);
    consider(p.audioRestore);
  }
  for (const s of state.subscribers) {
    consider(s.audioRestore);
  }
  return earliest;
}

/** When a restore in progress next needs the engine: its verify deadline or the end of its backoff. */
export function dueAt(progress: RestoreProgress): number {
  return progress.phase === 'verifying' ? progress.verifyBy : progress.retryAt;
}
