/**
 * Time for the engine runner, injected per instance so tests drive deadlines by hand (a manual clock)
 * instead of sleeping. `transition()` itself never reads a clock: it is given `now`.
 */
export interface Clock {
  /** Current time in ms. Only differences matter; the engine never compares it with a calendar. */
  now(): number;
  /** Calls `fn` once after `ms` ms; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a pending `setTimeout`; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: unknown): void;
}

/**
 * The platform's timers and wall clock. Wall time (not a monotonic clock) on purpose: it keeps counting
 * while the process is stopped or the device sleeps, so time spent suspended is measured, not lost.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};
