/**
 * A small runner around `transition()`: it holds the state, stamps inputs with the injected clock,
 * hands each effect to an executor, and schedules the `tick` the next deadline needs.
 */
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import type { LifecycleEffect } from './effects.js';
import type { LifecycleInput } from './inputs.js';
import type { LifecycleOptions } from './options.js';
import { nextDeadline } from './queries.js';
import { createLifecycleState } from './state.js';
import type { LifecycleState } from './state.js';
import { transition } from './transition.js';

/** Options of `createLifecycleEngine()`. */
export interface LifecycleEngineOptions {
  /** Applies one effect to the media layer and the socket. It may call `send()`; that input is queued. */
  readonly execute: (effect: LifecycleEffect) => void;
  /** Policy and switches for a fresh state. Ignored when `state` is given. */
  readonly lifecycle?: LifecycleOptions;
  /** Start from this state instead of a fresh one (e.g. one restored from storage). */
  readonly state?: LifecycleState;
  /** Default `systemClock`. */
  readonly clock?: Clock;
  /**
   * Called when `execute` throws. The other effects still run: one broken effect must not leave the
   * camera paused or skip an announce. Default: rethrow from a microtask, so the error is not lost.
   */
  readonly onExecuteError?: (error: unknown, effect: LifecycleEffect) => void;
}

/** A running engine. Create it with `createLifecycleEngine()`. */
export class LifecycleEngine {
  #state: LifecycleState;
  readonly #clock: Clock;
  readonly #execute: (effect: LifecycleEffect) => void;
  readonly #onExecuteError: (error: unknown, effect: LifecycleEffect) => void;
  readonly #queue: LifecycleInput[] = [];
  #draining = false;
  #stopped = false;
  #timer: unknown = null;
  #timerAt: number | null = null;

  constructor(options: LifecycleEngineOptions) {
    this.#state = options.state ?? createLifecycleState(options.lifecycle);
    this.#clock = options.clock ?? systemClock;
    this.#execute = options.execute;
    this.#onExecuteError = options.onExecuteError ?? rethrowLater;
    this.#schedule();
  }

  /** The current state (immutable; a new object after every input). */
  get state(): LifecycleState {
    return this.#state;
  }

  /**
   * Feeds one input, executes the resulting effects in order, then reschedules the tick timer.
   * Inputs sent from inside `execute` run after the current input's effects. Ignored after `stop()`.
   */
  send(input: LifecycleInput): void {
    if (this.#stopped) {
      return;
    }
    this.#queue.push(input);
    if (this.#draining) {
      return;
    }
    this.#draining = true;
    try {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        const [state, effects] = transition(this.#state, next, this.#clock.now());
        this.#state = state;
        for (const effect of effects) {
          if (this.#stopped) {
            return;
          }
          this.#run(effect);
        }
      }
    } finally {
      this.#draining = false;
      if (this.#stopped) {
        this.#queue.length = 0;
      }
      this.#schedule();
    }
  }

  /** Cancels the tick timer and ignores further inputs. Idempotent. */
  stop(): void {
    this.#stopped = true;
    this.#cancelTimer();
  }

  #run(effect: LifecycleEffect): void {
    try {
      this.#execute(effect);
    } catch (error) {
      this.#onExecuteError(error, effect);
    }
  }

  #schedule(): void {
    const at = this.#stopped ? null : nextDeadline(this.#state);
    if (at === this.#timerAt) {
      return;
    }
    this.#cancelTimer();
    if (at === null) {
      return;
    }
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.#timerAt = null;
      this.send({ type: 'tick' });
    }, Math.max(0, at - this.#clock.now()));
  }

  #cancelTimer(): void {
    if (this.#timer !== null) {
      this.#clock.clearTimeout(this.#timer);
    }
    this.#timer = null;
    this.#timerAt = null;
  }
}

/**
 * Creates and starts an engine.
 *
 * @example
 * const engine = createLifecycleEngine({ execute: (effect) => media.apply(effect) });
 * document.addEventListener('visibilitychange', () =>
 *   engine.send({ type: 'appState', state: document.hidden ? 'background' : 'active' }));
 */
export function createLifecycleEngine(options: LifecycleEngineOptions): LifecycleEngine {
  return new LifecycleEngine(options);
}

function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
