import { DEFAULT_TIMERS, MAX_SUSPEND_GRACE_MS, type LivenessTimers } from '@vigil/protocol';

/**
 * Fills in defaults and refuses combinations that cannot work, with a message naming the option.
 * A heartbeat that is not well inside its timeout would make healthy clients look silent.
 */
export function resolveTimers(overrides: Partial<LivenessTimers> = {}): LivenessTimers {
  const timers: LivenessTimers = { ...DEFAULT_TIMERS };
  for (const [name, value] of Object.entries(overrides) as [keyof LivenessTimers, number | undefined][]) {
    if (value === undefined) {
      continue;
    }
    if (!Object.hasOwn(DEFAULT_TIMERS, name)) {
      throw new TypeError(`Unknown timer "${name}"`);
    }
    if (!Number.isInteger(value) || value <= 0) {
      throw new TypeError(`${name} must be a positive integer number of milliseconds (got ${String(value)})`);
    }
    timers[name] = value;
  }
  if (timers.heartbeatTimeoutMs < 2 * timers.heartbeatIntervalMs) {
    throw new TypeError('heartbeatTimeoutMs must be at least twice heartbeatIntervalMs');
  }
  if (timers.networkGraceMs < timers.heartbeatTimeoutMs || timers.suspendGraceMs < timers.heartbeatTimeoutMs) {
    // Both graces count from the last message heard, so they must outlast the silence that starts them.
    throw new TypeError('networkGraceMs and suspendGraceMs must be at least heartbeatTimeoutMs');
  }
  if (timers.suspendGraceMs > MAX_SUSPEND_GRACE_MS) {
    throw new TypeError(`suspendGraceMs must be at most ${MAX_SUSPEND_GRACE_MS}`);
  }
  return timers;
}
