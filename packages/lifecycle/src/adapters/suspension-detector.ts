import type { LifecycleInput } from '../inputs.js';

export interface SuspensionDetectorOptions {
  onInput: (input: LifecycleInput) => void;
  now?: () => number;
  /** A tick this much later than due means the process was stopped. Default 5 000 ms. */
  gapMs?: number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

const TICK_MS = 1_000;

/**
 * A stopped process (iOS suspending an app, SIGSTOP) leaves no event behind, only time that passed
 * without any JavaScript running. A one-second tick that fires far too late is read as suspend +
 * resume. Returns the function that stops it.
 */
export function watchForSuspension(options: SuspensionDetectorOptions): () => void {
  const now = options.now ?? (() => Date.now());
  const gapMs = options.gapMs ?? 5_000;
  const setIntervalFn = options.setInterval ?? ((fn: () => void, ms: number) => setInterval(fn, ms));
  const clearIntervalFn = options.clearInterval ?? ((handle: unknown) => clearInterval(handle as ReturnType<typeof setInterval>));
  let last = now();
  const timer = setIntervalFn(() => {
    const t = now();
    if (t - last - TICK_MS > gapMs) {
      options.onInput({ type: 'suspend' });
      options.onInput({ type: 'resume' });
    }
    last = t;
  }, TICK_MS);
  return () => clearIntervalFn(timer);
}
