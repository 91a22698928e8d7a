/**
 * The shared preamble of the lifecycle transition tables (transition.test.ts, transition-intents.test.ts):
 * named inputs, a BASE of publishers and subscribers, the table's states and how to reach them, and
 * `checkTable`, which runs every input of a table against every state.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLifecycleState, transition } from '@vigil/lifecycle';
import type { LifecycleEffect, LifecycleInput, LifecycleState } from '@vigil/lifecycle';

export const background: LifecycleInput = { type: 'appState', state: 'background' };
export const active: LifecycleInput = { type: 'appState', state: 'active' };
export const inactive: LifecycleInput = { type: 'appState', state: 'inactive' };
export const call: LifecycleInput = { type: 'audioInterruptionBegan', reason: 'call' };
export const tick: LifecycleInput = { type: 'tick' };

// p1 publishes camera video and audio; p0 is a camera publisher the app turned fully off.
// s1 receives video and audio; s0 receives nothing. So "restore only what the SDK paused" is visible.
export const BASE: LifecycleInput[] = [
  { type: 'publisherAdded', publisherId: 'p1', source: 'camera', publishVideo: true, publishAudio: true },
  { type: 'publisherAdded', publisherId: 'p0', source: 'camera', publishVideo: false, publishAudio: false },
  { type: 'subscriberAdded', subscriberId: 's1', source: 'camera', subscribeToVideo: true, subscribeToAudio: true },
  { type: 'subscriberAdded', subscriberId: 's0', source: 'camera', subscribeToVideo: false, subscribeToAudio: false },
];

/** The states of the table, each reached from BASE by these inputs (mobile policy, defaults). */
export const STATES = {
  foreground: [],
  background: [background],
  inactive: [background, inactive],
  interrupted: [call],
  cameraInterrupted: [{ type: 'cameraInterruptionBegan' }],
  suspended: [background, { type: 'suspend' }],
  offline: [{ type: 'network', status: 'offline' }],
  restoring: [background, active],
  retrying: [background, active, tick],
  audioRestoring: [call, { type: 'audioInterruptionEnded' }],
} satisfies Record<string, LifecycleInput[]>;
export type StateName = keyof typeof STATES;

/** Ticks jump 5 s, past any verify deadline or first backoff; other inputs come 100 ms apart. */
export const stepMs = (input: LifecycleInput): number => (input.type === 'tick' ? 5_000 : 100);

/** The state `name` of STATES, reached from BASE, and the time it was reached at. */
export function build(name: StateName): { state: LifecycleState; now: number } {
  let state = createLifecycleState();
  let now = 0;
  for (const input of [...BASE, ...STATES[name]]) {
    now += stepMs(input);
    [state] = transition(state, input, now);
  }
  return { state, now };
}

/** One effect as `type(field,field…)`, leaving out absolute deadlines, which other tests check. */
export function showEffect(effect: LifecycleEffect): string {
  const fields = Object.entries(effect).filter(([k]) => !['type', 'verifyBy', 'deadlineMs'].includes(k));
  return `${effect.type}(${fields.map(([, v]) => String(v)).join(',')})`;
}

/** `type(field,field…)` for each effect, space-separated. */
export function show(effects: readonly LifecycleEffect[]): string {
  return effects.map(showEffect).join(' ');
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) {
      deepFreeze(v);
    }
  }
  return value;
}

/** Runs every state of STATES against every input of `rows`; unlisted states expect no effects. */
export function checkTable(rows: Record<string, Partial<Record<StateName, string>>>, inputs: Record<string, LifecycleInput>): void {
  for (const [name, input] of Object.entries(inputs)) {
    test(`${name}, in every state`, () => {
      const expected = rows[name];
      assert.ok(expected, `no table row for ${name}`);
      const actual: Partial<Record<StateName, string>> = {};
      for (const stateName of Object.keys(STATES) as StateName[]) {
        const { state, now } = build(stateName);
        const before = JSON.stringify(state);
        const [, effects] = transition(deepFreeze(state), input, now + stepMs(input));
        assert.equal(JSON.stringify(state), before, 'transition must not modify its input state');
        if (effects.length > 0) {
          actual[stateName] = show(effects);
        }
      }
      assert.deepEqual(actual, expected);
    });
  }
}
