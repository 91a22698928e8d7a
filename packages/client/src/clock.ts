/**
 * Time for the SDK's timers, injectable so tests can drive heartbeats and timeouts by hand. The same
 * clock the lifecycle engine takes, so one injected clock drives both.
 */
export { systemClock } from '@vigil/lifecycle';
export type { Clock as ClientClock } from '@vigil/lifecycle';
