/**
 * After every input, the engine compares what the environment allows (background, interruptions) and
 * what the app wants with what the SDK has done, and emits only the difference. Doing this in one place
 * for every input makes the rules hold whatever order the platform delivers events in.
 */
import type { LifecycleEffect } from './effects.js';
import type { MediaTarget, VideoSource } from './inputs.js';
import type { ResolvedLifecycleOptions } from './options.js';
import { announcedStateOf, hasActiveMedia } from './queries.js';
import { startRestore } from './restore.js';
import type {
  LifecycleState,
  PublisherState,
  SubscriberState,
  VideoPauseReason,
} from './state.js';

/** Why the SDK must keep a publisher's video off right now, in a fixed order (empty: nothing stops it). */
export function cameraBlockers(state: LifecycleState, source: VideoSource): VideoPauseReason[] {
  // Screen and custom sources are not the OS's to take: they keep publishing in the background.
  if (source !== 'camera') {
    return [];
  }
  const reasons: VideoPauseReason[] = [];
  if (state.backgrounded && state.options.pauseCameraInBackground) {
    reasons.push('background');
  }
  if (state.cameraInterrupted) {
    reasons.push('interrupted');
  }
  return reasons;
}

/** The SDK must keep audio off right now (an interruption it handles is going on). */
export function audioBlocked(state: LifecycleState): boolean {
  return state.audioInterruption !== null;
}

/** The SDK drops subscribers' video right now. */
export function subscriberVideoBlocked(state: LifecycleState): boolean {
  return state.backgrounded && state.options.dropVideoInBackground;
}

/** Brings every publisher and subscriber, the announced state and the warning in line with `state`. */
export function reconcile(state: LifecycleState, now: number, out: LifecycleEffect[]): LifecycleState {
  const options = state.options;
  const audioOff = audioBlocked(state);
  const publishers = sameOrNew(state.publishers, (p) => {
    const withVideo = reconcileCamera(p, cameraBlockers(state, p.source), now, options, out);
    return reconcileAudio('publisher', withVideo, audioOff, now, options, out);
  });
  const subscribers = sameOrNew(state.subscribers, (s) => {
    const withVideo = reconcileSubscriberVideo(s, state, out);
    return reconcileAudio('subscriber', withVideo, audioOff, now, options, out);
  });
  let next: LifecycleState =
    publishers === state.publishers && subscribers === state.subscribers
      ? state
      : { ...state, publishers, subscribers };

  const announced = announcedStateOf(next);
  if (announced.state !== next.announced) {
    out.push({ type: 'announce', ...announced });
    next = { ...next, announced: announced.state };
  }

  // Warn once per episode: again only after media came back or the app returned to the foreground.
  const lonely = options.warnBackgroundWithoutMedia && next.backgrounded && !hasActiveMedia(next);
  if (lonely && !next.warnedWithoutMedia) {
    out.push({ type: 'warn', code: 'backgroundWithoutMedia' });
  }
  return lonely === next.warnedWithoutMedia ? next : { ...next, warnedWithoutMedia: lonely };
}

/** Maps `items`, keeping the array itself when no item changed, so unchanged state stays `===`. */
function sameOrNew<T>(items: readonly T[], fn: (item: T) => T): readonly T[] {
  let changed = false;
  const mapped = items.map((item) => {
    const result = fn(item);
    changed ||= result !== item;
    return result;
  });
  return changed ? mapped : items;
}

function reconcileCamera(
  p: PublisherState,
  blockers: VideoPauseReason[],
  now: number,
  options: ResolvedLifecycleOptions,
  out: LifecycleEffect[],
): PublisherState {
  // Video the app turned off is the app's: the SDK neither pauses nor restores it.
  if (!p.wantsVideo) {
    return p;
  }
  const [first] = blockers;
  if (first !== undefined) {
    // Peers are told the first reason only; further reasons just keep the camera off for longer.
    if (p.videoPausedFor.length === 0) {
      out.push({ type: 'pauseCamera', publisherId: p.id, reason: first });
    }
    if (blockers.join() === p.videoPausedFor.join()) {
      return p;
    }
    // A new pause supersedes a restore still being verified or retried.
    return { ...p, videoPausedFor: blockers, videoRestore: null };
  }
  if (p.videoPausedFor.length === 0) {
    return p;
  }
  if (!options.restoreCamera) {
    out.push({ type: 'setPublishVideo', publisherId: p.id, enabled: false, reason: 'restoreDisabled' });
    return { ...p, wantsVideo: false, videoPausedFor: [] };
  }
  const restore = startRestore(1, now, options);
  out.push({ type: 'restoreCamera', publisherId: p.id, attempt: 1, verifyBy: restore.verifyBy });
  return { ...p, videoPausedFor: [], videoRestore: restore };
}

function reconcileAudio<T extends PublisherState | SubscriberState>(
  target: MediaTarget,
  entity: T,
  blocked: boolean,
  now: number,
  options: ResolvedLifecycleOptions,
  out: LifecycleEffect[],
): T {
  if (!entity.wantsAudio) {
    return entity;
  }
  if (blocked) {
    if (entity.audioStopped) {
      return entity;
    }
    out.push({ type: 'stopAudio', target, id: entity.id, reason: 'interrupted' });
    return { ...entity, audioStopped: true, audioRestore: null };
  }
  if (!entity.audioStopped) {
    return entity;
  }
  const restore = startRestore(1, now, options);
  out.push({ type: 'restoreAudio', target, id: entity.id, attempt: 1, verifyBy: restore.verifyBy });
  return { ...entity, audioStopped: false, audioRestore: restore };
}

function reconcileSubscriberVideo(
  s: SubscriberState,
  state: LifecycleState,
  out: LifecycleEffect[],
): SubscriberState {
  const subscriberId = s.id;
  let next = s;
  // Views that already exist stay attached; only creating one is forbidden in the background.
  const deferViews = state.backgrounded && state.options.deferRenderersInBackground;
  if (s.renderer === 'pending' || (s.renderer === 'deferred' && !deferViews)) {
    out.push(
      deferViews
        ? { type: 'deferVideoRenderer', subscriberId }
        : { type: 'attachVideoRenderer', subscriberId },
    );
    next = { ...next, renderer: deferViews ? 'deferred' : 'attached' };
  }
  if (!s.wantsVideo) {
    return next;
  }
  const drop = subscriberVideoBlocked(state);
  if (drop && !s.videoDropped) {
    out.push({ type: 'dropSubscriberVideo', subscriberId, reason: 'background' });
    return { ...next, videoDropped: true };
  }
  if (!drop && s.videoDropped) {
    out.push({ type: 'restoreSubscriberVideo', subscriberId });
    return { ...next, videoDropped: false };
  }
  return next;
}
