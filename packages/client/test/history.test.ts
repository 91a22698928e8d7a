import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Session } from '@vigil/client';
import { FaultProxy, recordEvents, startTestServer, waitUntil, type TestServer } from '@vigil/test-kit';

// A history checker: clients behind their own fault proxies broadcast numbered signals while their
// links are cut, refused and black-holed at random. Inside the grace nothing may be lost, nothing
// duplicated, and every sender's signals must arrive in order, at every client (the sender included).

const CLIENTS = 3;
const RUNS = 4;
const CYCLES_PER_RUN = 260; // 4 × 260 ≥ 1 000 drop/restore cycles

type Step =
  | { kind: 'send'; client: number; count: number }
  | { kind: 'cut'; client: number; refuseMs: number }
  | { kind: 'blackhole'; client: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('send' as const), client: fc.nat(CLIENTS - 1), count: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('cut' as const), client: fc.nat(CLIENTS - 1), refuseMs: fc.constantFrom(0, 0, 5, 20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('blackhole' as const), client: fc.nat(CLIENTS - 1) }) },
);

async function runHistory(h: TestServer, steps: Step[]): Promise<{ cycles: number; resumes: number }> {
  const sessionId = h.newSessionId();
  const proxies = await Promise.all(Array.from({ length: CLIENTS }, () => FaultProxy.start(h.url)));
  const sessions: Session[] = [];
  try {
    for (const proxy of proxies) {
      const session = h.session(sessionId, { url: proxy.url, reconnect: { baseDelayMs: 1, maxDelayMs: 10 } });
      await session.connect(h.token(sessionId));
      sessions.push(session);
    }
    await waitUntil(() => sessions.every((s) => s.connections.length === CLIENTS), 'everyone present', 10_000);
    const ids = sessions.map((s) => s.connection?.connectionId);
    const received = sessions.map((s) => recordEvents(s, 'signal:h'));
    const disconnected = sessions.map((s) => recordEvents(s, 'sessionDisconnected'));
    const resumed = sessions.map((s) => recordEvents(s, 'sessionReconnected'));
    const sent = Array.from({ length: CLIENTS }, () => 0);
    const acks: Promise<void>[] = [];
    let cycles = 0;
    for (const s of steps) {
      const proxy = proxies[s.client] as FaultProxy;
      const session = sessions[s.client] as Session;
      if (s.kind === 'send') {
        for (let i = 0; i < s.count; i += 1) {
          acks.push(session.signal({ type: 'h', data: `${s.client}:${sent[s.client]}` }));
          sent[s.client] = (sent[s.client] as number) + 1;
        }
      } else if (s.kind === 'cut') {
        cycles += 1;
        proxy.cut(s.refuseMs > 0 ? 'refuse' : 'pass');
        if (s.refuseMs > 0) {
          await new Promise((r) => setTimeout(r, s.refuseMs));
          proxy.setMode('pass');
        }
      } else {
        cycles += 1;
        proxy.setMode('blackhole');
        await new Promise((r) => setTimeout(r, 30));
        proxy.cut('pass');
      }
      // Let the event loop move between steps, as real traffic would.
      await new Promise((r) => setImmediate(r));
    }
    for (const proxy of proxies) {
      proxy.setMode('pass');
    }
    await Promise.all(acks);
    const total = sent.reduce((a, b) => a + b, 0);
    await waitUntil(() => received.every((r) => r.length >= total), `all ${total} signals everywhere`, 30_000);
    await new Promise((r) => setTimeout(r, 50)); // room for a duplicate to show up
    for (const [index, events] of received.entries()) {
      for (let sender = 0; sender < CLIENTS; sender += 1) {
        const got = events.filter((e) => e.data.startsWith(`${sender}:`)).map((e) => Number(e.data.split(':')[1]));
        assert.deepEqual(got, Array.from({ length: sent[sender] as number }, (_, i) => i), `client ${index} from sender ${sender}`);
        assert.ok(events.filter((e) => e.data.startsWith(`${sender}:`)).every((e) => e.from?.connectionId === ids[sender]), 'sender id on every delivery');
      }
    }
    assert.deepEqual(disconnected.map((d) => d.length), Array.from({ length: CLIENTS }, () => 0), 'nobody was dropped');
    assert.deepEqual(sessions.map((s) => s.connection?.connectionId), ids, 'every client kept its connection id');
    assert.ok(resumed.every((r) => r.every((e) => !e.rejoined)), 'every return was a resume, inside the grace');
    return { cycles, resumes: resumed.reduce((n, r) => n + r.length, 0) };
  } finally {
    for (const session of sessions) {
      session.disconnect();
    }
    await Promise.all(proxies.map((p) => p.close()));
  }
}

test(`history: ${RUNS} random fault schedules, >= 1 000 drop/restore cycles, no loss, no duplicates, order kept`, async (t) => {
  const h = await startTestServer(t, {
    timers: { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 200, networkGraceMs: 30_000 },
    rateLimit: { burst: 100_000, perSecond: 100_000 },
  });
  let cycles = 0;
  let resumes = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(step, { minLength: CYCLES_PER_RUN * 2, maxLength: CYCLES_PER_RUN * 2 }).filter((steps) => steps.filter((s) => s.kind !== 'send').length >= CYCLES_PER_RUN),
      async (steps) => {
        const result = await runHistory(h, steps);
        cycles += result.cycles;
        resumes += result.resumes;
      },
    ),
    { numRuns: RUNS, seed: 1127, endOnFailure: true },
  );
  assert.ok(cycles >= 1_000, `ran ${cycles} drop/restore cycles`);
  // A cut while a client is already reconnecting finds no socket to cut, so resumes < cycles.
  assert.ok(resumes >= cycles / 2, `only ${resumes} resumes for ${cycles} cycles`);
  t.diagnostic(`drop/restore cycles: ${cycles}, resumes: ${resumes}`);
});
