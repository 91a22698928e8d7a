/**
 * Applies the lifecycle engine's effects to one subscriber (lifecycle.md rules 3 and 5): video view
 * deferred while in the background, video dropped there and taken back on return, received audio
 * muted during an audio interruption and verified (packets arriving) when it ends.
 */
import { transition, type Clock, type LifecycleEffect, type LifecycleEngine, type VideoSource } from '@vigil/lifecycle';
import type { Subscriber, SubscriberLifecycleStart } from '../subscriber.js';
import { INTERNAL } from './internal.js';
import { FLOW_POLL_MS, counterRises, rtpCounter } from './flow-check.js';

/** An id no subscriber has: the dry run below must not match a real one. */
const PLAN_ID = '\u0000plan';

/**
 * How a subscriber made now must start, asked of the engine itself with a dry run of `subscriberAdded`
 * on its current state (pure: nothing is recorded). The view must be deferred before it exists: the
 * rule is that no video view is created in the background, not that one is removed again.
 */
export function planSubscriber(engine: LifecycleEngine, clock: Clock, init: { source: VideoSource; subscribeToVideo: boolean; subscribeToAudio: boolean }): SubscriberLifecycleStart {
  const [, effects] = transition(engine.state, { type: 'subscriberAdded', subscriberId: PLAN_ID, ...init }, clock.now());
  const mine = effects.filter((e) => 'subscriberId' in e && e.subscriberId === PLAN_ID);
  return {
    deferRenderer: mine.some((e) => e.type === 'deferVideoRenderer'),
    dropVideo: mine.some((e) => e.type === 'dropSubscriberVideo'),
  };
}

/** Creates the effect handler of subscriber `id`. */
export function subscriberEffectHandler(subscriber: Subscriber, context: { engine: LifecycleEngine; clock: Clock }): (effect: LifecycleEffect) => void {
  const { engine, clock } = context;
  const id = subscriber.id;
  // An update fails only when the link is down or the stream has gone: a resubscribe after a rejoin
  // sends the current flags anyway, and `destroyed` tells the app about a stream that went. An app
  // toggle that went through the engine still sees the rejection from its own `subscribeTo*` call.
  const quietly = (update: Promise<void>): void => {
    update.catch(() => undefined);
  };
  return (effect) => {
    switch (effect.type) {
      case 'deferVideoRenderer':
        // Nothing to do: a deferred view is simply not created (see `planSubscriber`).
        return;
      case 'attachVideoRenderer':
        subscriber.attachVideoView();
        return;
      case 'dropSubscriberVideo':
        quietly(subscriber.holdVideo(true));
        return;
      case 'restoreSubscriberVideo':
        quietly(subscriber.holdVideo(false));
        return;
      case 'setSubscribeToVideo':
        quietly(subscriber.applySubscription('video', effect.enabled));
        return;
      case 'setSubscribeToAudio':
        quietly(subscriber.applySubscription('audio', effect.enabled));
        return;
      case 'stopAudio':
        subscriber.muteAudioForInterruption(true);
        return;
      case 'restoreAudio': {
        subscriber.muteAudioForInterruption(false);
        const { attempt, verifyBy } = effect;
        const stillWanted = (): boolean => {
          const p = engine.state.subscribers.find((s) => s.id === id)?.audioRestore;
          return p !== undefined && p !== null && p.phase === 'verifying' && p.attempt === attempt;
        };
        audioArrives(subscriber, verifyBy, stillWanted, clock).then(
          (ok) => {
            if (stillWanted() && (ok || clock.now() < verifyBy)) {
              engine.send(ok ? { type: 'audioRestoreVerified', target: 'subscriber', id } : { type: 'audioRestoreFailed', target: 'subscriber', id });
            }
          },
          () => undefined,
        );
        return;
      }
      case 'audioRestoreFailed':
        subscriber.lifecycleRestoreFailed(effect);
        return;
      default:
        return;
    }
  };
}

/**
 * Audio packets arrive again before `verifyBy`. Without a connected peer connection there is nothing
 * to measure yet (the media connection is still being set up), which is not a failed restore.
 */
async function audioArrives(subscriber: Subscriber, verifyBy: number, stillWanted: () => boolean, clock: Clock): Promise<boolean> {
  const pc = subscriber[INTERNAL].link?.pc;
  if (!pc || pc.connectionState !== 'connected' || !subscriber.audioSubscribed || !subscriber.stream.hasAudio) {
    return true;
  }
  const samples = Math.ceil(Math.max(0, verifyBy - clock.now()) / FLOW_POLL_MS) + 1;
  return counterRises(() => rtpCounter([pc], 'inbound-rtp', 'audio', 'packetsReceived'), clock, stillWanted, samples);
}
