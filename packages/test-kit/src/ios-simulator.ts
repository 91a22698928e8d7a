import {
  createLifecycleEngine,
  hasActiveMedia,
  type AudioInterruptionReason,
  type LifecycleEffect,
  type LifecycleEngine,
  type LifecycleOptions,
  type VideoSource,
} from '@vigil/lifecycle';
import { ManualClock } from './manual-clock.js';

/** What the simulated OS lets the app be. */
export type SimulatedAppState = 'active' | 'inactive' | 'background' | 'suspended';

/** What a peer in the session sees of the simulated app, built only from the effects the SDK emits. */
export interface PeerView {
  connectionState: string;
  reason: string;
  /** Per publisher: is its video shown, and why not. */
  video: Record<string, { on: boolean; reason: string }>;
  audio: Record<string, { on: boolean; reason: string }>;
}

/**
 * A deterministic iOS-like device for lifecycle tests: app states active / inactive / background /
 * suspended, a camera the OS takes away in the background, an audio session a phone call takes, and
 * the OS suspending a backgrounded app that has no active publisher or subscriber. It drives the real
 * lifecycle engine with a manual clock and plays the media layer: cameras that deliver frames when the
 * OS allows, renderers, and what peers are told. Violations of the OS rules are recorded, not thrown.
 */
export class IosSimulator {
  readonly clock: ManualClock;
  readonly engine: LifecycleEngine;
  /** Every effect the engine emitted, in order. */
  readonly effects: LifecycleEffect[] = [];
  /** OS rules the SDK broke (e.g. turning the camera on in the background). Should stay empty. */
  readonly violations: string[] = [];
  readonly peer: PeerView = { connectionState: 'active', reason: 'connected', video: {}, audio: {} };
  readonly cameraOn = new Map<string, boolean>();
  readonly renderers = new Set<string>();
  readonly warnings: string[] = [];
  appState: SimulatedAppState = 'active';
  audioTakenBy: AudioInterruptionReason | undefined;
  /** How long iOS lets a backgrounded app without active media run before suspending it. */
  readonly suspendAfterMs: number;
  #suspendTimer: unknown;

  constructor(options: { lifecycle?: LifecycleOptions; suspendAfterMs?: number; clock?: ManualClock } = {}) {
    this.clock = options.clock ?? new ManualClock(0);
    this.suspendAfterMs = options.suspendAfterMs ?? 5_000;
    this.engine = createLifecycleEngine({
      clock: this.clock,
      lifecycle: options.lifecycle ?? { policy: 'mobile' },
      execute: (effect) => this.#apply(effect),
    });
  }

  // App actions

  publish(publisherId: string, source: VideoSource = 'camera', media = { video: true, audio: true }): void {
    this.peer.video[publisherId] = { on: media.video, reason: 'publishVideo' };
    this.peer.audio[publisherId] = { on: media.audio, reason: 'publishAudio' };
    this.cameraOn.set(publisherId, media.video && source === 'camera' && this.#cameraAvailable());
    this.engine.send({ type: 'publisherAdded', publisherId, source, publishVideo: media.video, publishAudio: media.audio });
  }

  subscribe(subscriberId: string, source: VideoSource = 'camera'): void {
    this.engine.send({ type: 'subscriberAdded', subscriberId, source, subscribeToVideo: true, subscribeToAudio: true });
  }

  publishVideo(publisherId: string, value: boolean): void {
    this.engine.send({ type: 'publishVideo', publisherId, value });
  }

  // OS events

  goBackground(): void {
    this.#setApp('inactive');
    this.#setApp('background');
    this.#scheduleSuspension();
  }

  goForeground(): void {
    if (this.appState === 'suspended') {
      this.engine.send({ type: 'resume' });
    }
    this.#setApp('active');
  }

  /** A phone or FaceTime call: audio taken, the app made inactive and then suspended. */
  incomingCall(reason: 'call' | 'facetime' = 'call'): void {
    this.audioTakenBy = reason;
    this.engine.send({ type: 'audioInterruptionBegan', reason });
    this.#setApp('inactive');
    this.#suspend();
  }

  callEnded(): void {
    this.audioTakenBy = undefined;
    this.goForeground();
    this.engine.send({ type: 'audioInterruptionEnded' });
  }

  otherAppTakesAudio(): void {
    this.audioTakenBy = 'otherApp';
    this.engine.send({ type: 'audioInterruptionBegan', reason: 'otherApp' });
  }

  advance(ms: number): void {
    this.clock.advance(ms);
  }

  #setApp(state: 'active' | 'inactive' | 'background'): void {
    this.appState = state;
    this.engine.send({ type: 'appState', state });
  }

  #scheduleSuspension(): void {
    this.clock.clearTimeout(this.#suspendTimer);
    this.#suspendTimer = this.clock.setTimeout(() => {
      if (this.appState === 'background' && !hasActiveMedia(this.engine.state)) {
        this.#suspend();
      }
    }, this.suspendAfterMs);
  }

  #suspend(): void {
    this.appState = 'suspended';
    this.engine.send({ type: 'suspend' });
  }

  #cameraAvailable(): boolean {
    return this.appState === 'active' || this.appState === 'inactive';
  }

  #apply(effect: LifecycleEffect): void {
    this.effects.push(effect);
    switch (effect.type) {
      case 'pauseCamera':
        this.cameraOn.set(effect.publisherId, false);
        this.peer.video[effect.publisherId] = { on: false, reason: effect.reason };
        break;
      case 'restoreCamera':
        if (!this.#cameraAvailable()) {
          this.violations.push(`camera restored while ${this.appState}`);
          break;
        }
        this.cameraOn.set(effect.publisherId, true);
        this.peer.video[effect.publisherId] = { on: true, reason: 'publishVideo' };
        // Frames flow right away on this device; the engine is told so.
        this.engine.send({ type: 'videoRestoreVerified', publisherId: effect.publisherId });
        break;
      case 'setPublishVideo':
        if (effect.enabled && !this.#cameraAvailable()) {
          this.violations.push(`publishVideo(true) applied while ${this.appState}`);
        }
        this.cameraOn.set(effect.publisherId, effect.enabled);
        this.peer.video[effect.publisherId] = { on: effect.enabled, reason: effect.reason };
        break;
      case 'stopAudio':
        if (effect.target === 'publisher') {
          this.peer.audio[effect.id] = { on: false, reason: effect.reason };
        }
        break;
      case 'restoreAudio':
        if (this.audioTakenBy) {
          this.violations.push(`audio restored while taken by ${this.audioTakenBy}`);
        }
        if (effect.target === 'publisher') {
          this.peer.audio[effect.id] = { on: true, reason: 'publishAudio' };
        }
        this.engine.send({ type: 'audioRestoreVerified', target: effect.target, id: effect.id });
        break;
      case 'attachVideoRenderer':
        if (!this.#cameraAvailable() && this.appState !== 'inactive') {
          this.violations.push(`video view created while ${this.appState}`);
        }
        this.renderers.add(effect.subscriberId);
        break;
      case 'deferVideoRenderer':
        this.renderers.delete(effect.subscriberId);
        break;
      case 'announce':
        this.peer.connectionState = effect.state;
        this.peer.reason = effect.reason;
        break;
      case 'warn':
        this.warnings.push(effect.code);
        break;
      default:
        break;
    }
  }
}
