import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '@vigil/test-kit';
import { ReconnectPolicy } from '../src/reconnect-policy.js';

test('delays grow exponentially to the cap, each a random point below its ceiling (full jitter)', () => {
  const clock = new ManualClock();
  const top = new ReconnectPolicy(clock, { baseDelayMs: 100, maxDelayMs: 1_000 }, () => 0.999999);
  const ceilings = Array.from({ length: 7 }, () => top.nextDelay());
  assert.deepEqual(ceilings, [99, 199, 399, 799, 999, 999, 999]);
  const bottom = new ReconnectPolicy(clock, { baseDelayMs: 100, maxDelayMs: 1_000 }, () => 0);
  assert.equal(bottom.nextDelay(), 0);
});

test('time spent suspended is not charged to the budget; running time is', async () => {
  const clock = new ManualClock();
  const policy = new ReconnectPolicy(clock, { baseDelayMs: 100, maxDelayMs: 100, budgetMs: 1_000 }, () => 0.5);
  const delay = policy.nextDelay() as number;
  const waited = policy.wait(delay, () => false);
  clock.advance(3_600_000); // the process was stopped for an hour; the timer fires late
  await waited;
  assert.ok(policy.spentMs <= delay + 1_000, `charged ${policy.spentMs} ms`);
  for (let i = 0; i < 100 && policy.nextDelay() !== null; i += 1) {
    const w = policy.wait(50, () => false);
    clock.advance(50);
    await w;
  }
  assert.equal(policy.nextDelay(), null, 'the budget ends in running time');
  assert.ok(policy.spentMs >= 1_000);
});
