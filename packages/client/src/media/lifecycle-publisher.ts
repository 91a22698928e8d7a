/**
 * Applies the lifecycle engine's effects to one publisher, and verifies restores: after the engine
 * turns the camera (or the microphone) back on, media must really flow before `verifyBy`, or the
 * engine fails the attempt, the publisher emits `videoRestoreFailed`, and the next attempt opens the
 * camera again. The engine stays pure; this is where its decisions meet the platform.
 */
import type { Clock, LifecycleEffect, LifecycleEngine, RestoreProgress } from '@vigil/lifecycle';
import type { Publisher } from '../publisher.js';
import { INTERNAL } from './internal.js';
import { FLOW_POLL_MS, counterRises, rtpCounter, trackDeliversFrame } from './flow-check.js';

/** What the executor needs besides the publisher. */
export interface PublisherExecutorContext {
  readonly engine: LifecycleEngine;
  readonly clock: Clock;
  /** Watches a new capture track for interruptions (the adapter's `watchTrack`). */
  readonly watchTrack: (track: MediaStreamTrack) => void;
}

/** Creates the effect handler of publisher `id` (its stream id). */
export function publisherEffectHandler(publisher: Publisher, id: string, context: PublisherExecutorContext): (effect: LifecycleEffect) => void {
  const { engine } = context;
  const progress = (kind: 'audio' | 'video'): RestoreProgress | null => {
    const state = engine.state.publishers.find((p) => p.id === id);
    return (kind === 'video' ? state?.videoRestore : state?.audioRestore) ?? null;
  };
  // A verification keeps running only while the engine still waits for this very attempt.
  const verifying = (kind: 'audio' | 'video', attempt: number) => (): boolean => {
    const p = progress(kind);
    return p !== null && p.phase === 'verifying' && p.attempt === attempt;
  };
  const report = (kind: 'audio' | 'video', ok: boolean): void => {
    if (kind === 'video') {
      engine.send(ok ? { type: 'videoRestoreVerified', publisherId: id } : { type: 'videoRestoreFailed', publisherId: id });
    } else {
      engine.send(ok ? { type: 'audioRestoreVerified', target: 'publisher', id } : { type: 'audioRestoreFailed', target: 'publisher', id });
    }
  };
  const verify = (kind: 'audio' | 'video', attempt: number, verifyBy: number): void => {
    const stillWanted = verifying(kind, attempt);
    mediaFlows(publisher, kind, verifyBy, stillWanted, context.clock).then(
      (ok) => {
        // A failure found by the time running out is the engine's to declare (its tick); only a
        // positive result, or an early certain failure, is reported while the attempt is current.
        if (stillWanted() && (ok || context.clock.now() < verifyBy)) {
          report(kind, ok);
        }
      },
      () => undefined,
    );
  };

  return (effect) => {
    switch (effect.type) {
      case 'pauseCamera':
        publisher.applyLifecycle('video', false, effect.reason);
        return;
      case 'restoreCamera': {
        const { attempt, verifyBy } = effect;
        // The first attempt just sends the paused track again. An attempt after a failure opens the
        // camera again: the old track showed no frames, and a fresh capture is the only remedy here.
        if (attempt === 1) {
          publisher.applyLifecycle('video', true, 'background');
          verify('video', attempt, verifyBy);
          return;
        }
        publisher.reacquireVideo().then(
          (fresh) => {
            if (!verifying('video', attempt)()) {
              return;
            }
            if (fresh) {
              context.watchTrack(fresh);
            }
            publisher.applyLifecycle('video', true, 'background');
            verify('video', attempt, verifyBy);
          },
          () => undefined,
        );
        return;
      }
      case 'setPublishVideo':
        publisher.applyLifecycle('video', effect.enabled, 'app');
        return;
      case 'setPublishAudio':
        publisher.applyLifecycle('audio', effect.enabled, 'app');
        return;
      case 'stopAudio':
        publisher.applyLifecycle('audio', false, 'interrupted');
        return;
      case 'restoreAudio':
        publisher.applyLifecycle('audio', true, 'interrupted');
        verify('audio', effect.attempt, effect.verifyBy);
        return;
      case 'videoRestoreFailed':
        publisher.lifecycleRestoreFailed('video', effect);
        return;
      case 'audioRestoreFailed':
        publisher.lifecycleRestoreFailed('audio', effect);
        return;
      default:
        return;
    }
  };
}

/**
 * Whether `kind` flows before `verifyBy`: RTP counters rising on the peer connections that send it
 * (video `framesEncoded`, audio `packetsSent`); with none (nobody subscribed yet), video needs a frame
 * read from the track, and audio a live, unmuted track (reading samples needs an `AudioContext`, which
 * browsers keep suspended until a user gesture). An ended track fails at once.
 */
async function mediaFlows(publisher: Publisher, kind: 'audio' | 'video', verifyBy: number, stillWanted: () => boolean, clock: Clock): Promise<boolean> {
  const core = publisher[INTERNAL];
  const track = core.track(kind);
  if (!track || track.readyState !== 'live') {
    return false;
  }
  const samples = Math.ceil(Math.max(0, verifyBy - clock.now()) / FLOW_POLL_MS) + 1;
  const pcs = core.sendingConnections(kind);
  if (pcs.length > 0) {
    const field = kind === 'video' ? 'framesEncoded' : 'packetsSent';
    return counterRises(() => rtpCounter(core.sendingConnections(kind), 'outbound-rtp', kind, field), clock, stillWanted, samples);
  }
  if (kind === 'video') {
    return trackDeliversFrame(track, Math.max(FLOW_POLL_MS, verifyBy - clock.now()), clock);
  }
  return !track.muted;
}
