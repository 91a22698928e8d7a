/**
 * The lifecycle engine: `transition(state, input, now) → [state, effects]`. Pure: no timers, no platform
 * APIs, no randomness; time comes in as `now` (ms) and deadlines go out as data.
 */
import type { LifecycleEffect, ProbeConnectionEffect } from './effects.js';
import type { LifecycleInput, MediaTarget } from './inputs.js';
import { audioBlocked, cameraBlockers, reconcile, subscriberVideoBlocked } from './reconcile.js';
import { advanceAudioRestore, advanceVideoRestore, shiftRestore } from './restore.js';
import type { LifecycleState, PublisherState, SubscriberState } from './state.js';

/**
 * Applies one input and returns the next state and the effects to execute, in order. Inputs naming an
 * unknown publisher or subscriber are ignored (results and toggles race with removal), as is adding
 * one twice. The returned state is a new object; `state` is never modified.
 *
 * @example
 * let state = createLifecycleState();
 * [state] = transition(state, { type: 'publisherAdded', publisherId: 'p1', source: 'camera',
 *   publishVideo: true, publishAudio: true }, Date.now());
 * const [next, effects] = transition(state, { type: 'appState', state: 'background' }, Date.now());
 * // effects: pauseCamera { p1, background }, announce { background }
 */
export function transition(
  state: LifecycleState,
  input: LifecycleInput,
  now: number,
): readonly [LifecycleState, readonly LifecycleEffect[]] {
  const out: LifecycleEffect[] = [];
  if (input.type === 'tick') {
    // A frozen process runs no timers; a tick delivered anyway must not fail restores it never ran.
    return state.suspendedAt !== null ? [state, out] : [reconcile(tick(state, now, out), now, out), out];
  }
  // Any sign of life while suspended means the process runs again, whether or not `resume` was seen.
  const resumed = input.type === 'resume' || (state.suspendedAt !== null && input.type !== 'suspend');
  let next = resumed ? wake(state, now) : state;
  const wasOffline = next.network === 'offline';
  next = reconcile(apply(next, input, now, out), now, out);
  const cameOnline = wasOffline && next.network === 'online';
  // The probe goes first: a zombie socket must be replaced before anything is sent over it. Offline,
  // a probe could only fail, so it waits for `network: online`.
  if ((resumed || cameOnline) && next.network === 'online' && next.options.probeOnResume) {
    const suspendedMs = resumed && state.suspendedAt !== null ? Math.max(0, now - state.suspendedAt) : null;
    const probe: ProbeConnectionEffect = {
      type: 'probeConnection',
      deadlineMs: next.options.probeDeadlineMs,
      reason: resumed ? 'resume' : 'online',
      suspendedMs,
    };
    out.unshift(probe);
  }
  return [next, out];
}

/** Leaves suspension; deadlines move on by the time spent frozen, which must not count as failure. */
function wake(state: LifecycleState, now: number): LifecycleState {
  if (state.suspendedAt === null) {
    return state;
  }
  const gap = Math.max(0, now - state.suspendedAt);
  return {
    ...state,
    suspendedAt: null,
    publishers: state.publishers.map((p) => ({
      ...p,
      videoRestore: shiftRestore(p.videoRestore, gap),
      audioRestore: shiftRestore(p.audioRestore, gap),
    })),
    subscribers: state.subscribers.map((s) => ({ ...s, audioRestore: shiftRestore(s.audioRestore, gap) })),
  };
}

function tick(state: LifecycleState, now: number, out: LifecycleEffect[]): LifecycleState {
  const o = state.options;
  return {
    ...state,
    publishers: state.publishers.map((p) =>
      advanceAudioRestore('publisher', advanceVideoRestore(p, now, o, false, out), now, o, false, out),
    ),
    subscribers: state.subscribers.map((s) => advanceAudioRestore('subscriber', s, now, o, false, out)),
  };
}

function apply(
  state: LifecycleState,
  input: Exclude<LifecycleInput, { type: 'tick' }>,
  now: number,
  out: LifecycleEffect[],
): LifecycleState {
  switch (input.type) {
    case 'appState': {
      const backgrounded =
        input.state === 'background' ? true : input.state === 'active' ? false : state.backgrounded;
      return { ...state, appState: input.state, backgrounded };
    }
    case 'suspend':
      return state.suspendedAt === null ? { ...state, suspendedAt: now } : state;
    case 'resume':
      return state; // `wake` did the work
    case 'audioInterruptionBegan':
      // The first reason is kept: a second interruption on top does not change what peers must know.
      if (!state.options.stopAudioOnInterruption || state.audioInterruption !== null) {
        return state;
      }
      return { ...state, audioInterruption: input.reason };
    case 'audioInterruptionEnded':
      return { ...state, audioInterruption: null };
    case 'cameraInterruptionBegan':
      return { ...state, cameraInterrupted: true };
    case 'cameraInterruptionEnded':
      return { ...state, cameraInterrupted: false };
    case 'network':
      return { ...state, network: input.status };
    case 'publisherAdded': {
      if (state.publishers.some((p) => p.id === input.publisherId)) {
        return state;
      }
      const publisher: PublisherState = {
        id: input.publisherId,
        source: input.source,
        wantsVideo: input.publishVideo,
        wantsAudio: input.publishAudio,
        videoPausedFor: [],
        audioStopped: false,
        videoRestore: null,
        audioRestore: null,
      };
      return { ...state, publishers: [...state.publishers, publisher] };
    }
    case 'publisherRemoved':
      return { ...state, publishers: state.publishers.filter((p) => p.id !== input.publisherId) };
    case 'subscriberAdded': {
      if (state.subscribers.some((s) => s.id === input.subscriberId)) {
        return state;
      }
      const subscriber: SubscriberState = {
        id: input.subscriberId,
        source: input.source,
        wantsVideo: input.subscribeToVideo,
        wantsAudio: input.subscribeToAudio,
        videoDropped: false,
        renderer: 'pending',
        audioStopped: false,
        audioRestore: null,
      };
      return { ...state, subscribers: [...state.subscribers, subscriber] };
    }
    case 'subscriberRemoved':
      return { ...state, subscribers: state.subscribers.filter((s) => s.id !== input.subscriberId) };
    case 'publishVideo':
      return updatePublisher(state, input.publisherId, (p) => {
        if (p.wantsVideo === input.value) {
          return p;
        }
        // Turning on while the SDK must hold video off is deferred: `reconcile` pauses it at once and
        // restores it when the reason is gone, which is how a toggle made in the background is honoured.
        if (!input.value || cameraBlockers(state, p.source).length === 0) {
          out.push({ type: 'setPublishVideo', publisherId: p.id, enabled: input.value, reason: 'app' });
        }
        return { ...p, wantsVideo: input.value, videoPausedFor: [], videoRestore: null };
      });
    case 'publishAudio':
      return updatePublisher(state, input.publisherId, (p) => {
        if (p.wantsAudio === input.value) {
          return p;
        }
        if (!input.value || !audioBlocked(state)) {
          out.push({ type: 'setPublishAudio', publisherId: p.id, enabled: input.value, reason: 'app' });
        }
        return { ...p, wantsAudio: input.value, audioStopped: false, audioRestore: null };
      });
    case 'subscribeToVideo':
      return updateSubscriber(state, input.subscriberId, (s) => {
        if (s.wantsVideo === input.value) {
          return s;
        }
        if (!input.value || !subscriberVideoBlocked(state)) {
          out.push({ type: 'setSubscribeToVideo', subscriberId: s.id, enabled: input.value, reason: 'app' });
        }
        return { ...s, wantsVideo: input.value, videoDropped: false };
      });
    case 'subscribeToAudio':
      return updateSubscriber(state, input.subscriberId, (s) => {
        if (s.wantsAudio === input.value) {
          return s;
        }
        if (!input.value || !audioBlocked(state)) {
          out.push({ type: 'setSubscribeToAudio', subscriberId: s.id, enabled: input.value, reason: 'app' });
        }
        return { ...s, wantsAudio: input.value, audioStopped: false, audioRestore: null };
      });
    case 'videoRestoreVerified':
      return updatePublisher(state, input.publisherId, (p) =>
        p.videoRestore === null ? p : { ...p, videoRestore: null },
      );
    case 'videoRestoreFailed':
      return updatePublisher(state, input.publisherId, (p) =>
        advanceVideoRestore(p, now, state.options, true, out),
      );
    case 'audioRestoreVerified':
      return updateAudio(state, input.target, input.id, (e) =>
        e.audioRestore === null ? e : { ...e, audioRestore: null },
      );
    case 'audioRestoreFailed':
      return updateAudio(state, input.target, input.id, (e) =>
        advanceAudioRestore(input.target, e, now, state.options, true, out),
      );
    default: {
      const unreachable: never = input;
      throw new TypeError(`unknown lifecycle input ${JSON.stringify(unreachable)}`);
    }
  }
}

function updatePublisher(
  state: LifecycleState,
  id: string,
  fn: (p: PublisherState) => PublisherState,
): LifecycleState {
  return { ...state, publishers: state.publishers.map((p) => (p.id === id ? fn(p) : p)) };
}

function updateSubscriber(
  state: LifecycleState,
  id: string,
  fn: (s: SubscriberState) => SubscriberState,
): LifecycleState {
  return { ...state, subscribers: state.subscribers.map((s) => (s.id === id ? fn(s) : s)) };
}

function updateAudio(
  state: LifecycleState,
  target: MediaTarget,
  id: string,
  fn: <T extends PublisherState | SubscriberState>(entity: T) => T,
): LifecycleState {
  return target === 'publisher' ? updatePublisher(state, id, fn) : updateSubscriber(state, id, fn);
}
