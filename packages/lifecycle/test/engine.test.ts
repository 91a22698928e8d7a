/** The runner: effects executed in order, ticks scheduled on the injected clock, errors contained. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { active, background } from '@vigil/test-kit';
import { createLifecycleEngine, systemClock } from '../src/index.js';
import type { Clock, LifecycleEffect, LifecycleInput } from '../src/index.js';

/** A clock that only moves when told; `advance` fires due timers in time order. */
function manualClock(): Clock & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let nextId = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.set(++nextId, { at: now + ms, fn });
      return nextId;
    },
    clearTimeout: (handle) => {
      timers.delete(handle as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (due === undefined) {
          break;
        }
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
    pending: () => timers.size,
  };
}

const publisher: LifecycleInput = {
  type: 'publisherAdded', publisherId: 'p1', source: 'camera', publishVideo: true, publishAudio: true,
};

test('runs effects in order and schedules the verification tick on the injected clock', () => {
  const clock = manualClock();
  const seen: string[] = [];
  const engine = createLifecycleEngine({ clock, execute: (e) => seen.push(`${clock.now()} ${e.type}`) });
  engine.send(publisher);
  engine.send(background);
  clock.advance(500);
  engine.send(active);
  assert.equal(clock.pending(), 1);
  clock.advance(2_000);
  clock.advance(1_000);
  assert.deepEqual(seen, [
    '0 pauseCamera',
    '0 announce',
    '500 restoreCamera',
    '500 announce',
    '2500 videoRestoreFailed',
    '3500 restoreCamera',
  ]);
  engine.send({ type: 'videoRestoreVerified', publisherId: 'p1' });
  assert.equal(clock.pending(), 0, 'nothing left to time once verified');
  assert.equal(engine.state.publishers[0]?.videoRestore, null);
});

test('an input sent from inside the executor runs after the current effects', () => {
  const seen: string[] = [];
  const engine = createLifecycleEngine({
    clock: manualClock(),
    execute: (e) => {
      seen.push(e.type);
      if (e.type === 'restoreCamera') {
        engine.send({ type: 'videoRestoreVerified', publisherId: e.publisherId }); // frames at once
      }
    },
  });
  engine.send(publisher);
  engine.send(background);
  engine.send(active);
  assert.deepEqual(seen, ['pauseCamera', 'announce', 'restoreCamera', 'announce']);
  assert.equal(engine.state.publishers[0]?.videoRestore, null);
});

test('a throwing executor does not stop the other effects', () => {
  const errors: [unknown, LifecycleEffect][] = [];
  const seen: string[] = [];
  const engine = createLifecycleEngine({
    clock: manualClock(),
    execute: (e) => {
      if (e.type === 'pauseCamera') {
        throw new Error('camera busy');
      }
      seen.push(e.type);
    },
    onExecuteError: (error, effect) => errors.push([error, effect]),
  });
  engine.send(publisher);
  engine.send(background);
  assert.deepEqual(seen, ['announce']);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]?.[1].type, 'pauseCamera');
  assert.equal(engine.state.backgrounded, true);
});

test('stop() cancels the timer and ignores later inputs', () => {
  const clock = manualClock();
  const seen: string[] = [];
  const engine = createLifecycleEngine({ clock, execute: (e) => seen.push(e.type) });
  engine.send(publisher);
  engine.send(background);
  engine.send(active);
  engine.stop();
  engine.stop();
  assert.equal(clock.pending(), 0);
  clock.advance(10_000);
  engine.send(background);
  assert.deepEqual(seen, ['pauseCamera', 'announce', 'restoreCamera', 'announce']);
});

test('starts from a given state and options', () => {
  const first = createLifecycleEngine({ clock: manualClock(), execute: () => {}, lifecycle: { policy: 'desktop' } });
  assert.equal(first.state.options.policy, 'desktop');
  const second = createLifecycleEngine({ execute: () => {}, state: first.state });
  assert.equal(second.state, first.state);
  second.stop();
});

test('systemClock: real time and real timers', async () => {
  const before = Date.now();
  assert.ok(Math.abs(systemClock.now() - before) < 1_000);
  const cleared = systemClock.setTimeout(() => assert.fail('cleared timer fired'), 1);
  systemClock.clearTimeout(cleared);
  await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 5));
});
