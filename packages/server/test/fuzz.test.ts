import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nextEvent, openRawSocket, startTestServer, type RawSocket } from '@vigil/test-kit';

// Valid messages, then mutations of them: the server must answer each request id exactly once, never
// crash, and never disturb a well-behaved client beside the fuzzer.
const validMessage = fc.oneof(
  fc.record({ type: fc.constant('ping') }),
  fc.record({ type: fc.constant('signal'), id: fc.integer({ min: 1, max: 1e6 }), signalType: fc.stringMatching(/^[a-z]{0,8}$/), data: fc.string({ maxLength: 64 }) }),
  fc.record({ type: fc.constant('forceDisconnect'), id: fc.integer({ min: 1, max: 1e6 }), connectionId: fc.stringMatching(/^[A-Za-z0-9_-]{1,22}$/) }),
);

const mutatedMessage = fc
  .tuple(validMessage, fc.string({ maxLength: 12 }), fc.anything({ maxDepth: 2 }), fc.constantFrom('add', 'drop', 'retype', 'bigData', 'badId'))
  .map(([message, key, value, how]) => {
    const copy: Record<string, unknown> = { ...message };
    if (how === 'add') copy[key] = value;
    if (how === 'drop') delete copy[Object.keys(copy)[0] as string];
    if (how === 'retype') copy['type'] = value;
    if (how === 'bigData') copy['data'] = 'd'.repeat(8193);
    if (how === 'badId') copy['id'] = value;
    return JSON.stringify(copy) ?? 'undefined';
  });

const frame = fc.oneof(
  { arbitrary: mutatedMessage, weight: 5 },
  { arbitrary: validMessage.map((m) => JSON.stringify(m)), weight: 2 },
  { arbitrary: fc.string({ maxLength: 200 }), weight: 2 },
  { arbitrary: fc.json({ maxDepth: 3 }), weight: 2 },
  { arbitrary: fc.constantFrom('{"type":"disconnect"}', '{"type":"__proto__"}', '{"type":"toString","id":1}', '\u0000', '{"type":"signal","id":1,"data":"\\ud800"}'), weight: 1 },
);

test('10 000 random and mutated frames: the server stays up and correct for a bystander', async (t) => {
  const h = await startTestServer(t, { rateLimit: { burst: 1e9, perSecond: 1e9 } });
  const sessionId = h.newSessionId();
  const bystander = await h.join(sessionId);
  const frames = fc.sample(frame, { numRuns: 10_000, seed: 20261127 });
  assert.equal(frames.length, 10_000);

  let raw: RawSocket | undefined;
  let sent = 0;
  let reopened = 0;
  const batchSize = 500;
  for (let start = 0; start < frames.length; start += batchSize) {
    if (!raw || raw.socket.readyState !== 1) {
      raw = await openRawSocket(h.url, sessionId, h.token(sessionId));
      await raw.waitFor((m) => m['type'] === 'welcome');
      reopened += 1;
    }
    for (const text of frames.slice(start, start + batchSize)) {
      if (raw.socket.readyState === 1) {
        raw.send(text);
        sent += 1;
      }
    }
    // A round trip after each batch: the socket has processed everything before it (or was closed).
    if (raw.socket.readyState === 1) {
      const from = raw.messages.length;
      raw.send('{"type":"ping","t":1}');
      await Promise.race([raw.waitFor((m) => m['type'] === 'pong', 10_000, from), raw.closed]);
    }
  }
  assert.ok(sent >= 9_000, `most frames were sent (${sent}, sockets opened ${reopened})`);

  // The bystander is untouched: still connected, can signal and receive.
  assert.equal(bystander.state, 'connected');
  const echo = nextEvent(bystander, 'signal:after', { timeoutMs: 10_000 });
  await bystander.signal({ type: 'after', data: 'fuzz' });
  assert.equal((await echo).data, 'fuzz');
  assert.ok(bystander.connections.length >= 1);
});

test('every well-formed request id gets exactly one reply under random traffic', async (t) => {
  const h = await startTestServer(t, { rateLimit: { burst: 1e9, perSecond: 1e9 } });
  const sessionId = h.newSessionId();
  const raw = await openRawSocket(h.url, sessionId, h.token(sessionId));
  await raw.waitFor((m) => m['type'] === 'welcome');
  const requests = fc.sample(
    fc.oneof(
      fc.record({ type: fc.constant('signal'), signalType: fc.string({ maxLength: 140 }), data: fc.string({ maxLength: 40 }) }),
      fc.record({ type: fc.constant('signal'), to: fc.stringMatching(/^[a-z]{1,5}$/), data: fc.string({ maxLength: 10 }) }),
      fc.record({ type: fc.constant('forceDisconnect'), connectionId: fc.stringMatching(/^[a-z]{1,5}$/) }),
      fc.record({ type: fc.constantFrom('nope', 'signal'), extra: fc.integer() }),
    ),
    { numRuns: 2_000, seed: 7 },
  );
  requests.forEach((request, i) => raw.send(JSON.stringify({ ...request, id: i + 1 })));
  await raw.waitFor((m) => m['id'] === requests.length, 15_000);
  const replies = new Map<number, number>();
  for (const message of raw.messages) {
    if ((message['type'] === 'ack' || message['type'] === 'error') && typeof message['id'] === 'number') {
      replies.set(message['id'], (replies.get(message['id']) ?? 0) + 1);
    }
  }
  assert.equal(replies.size, requests.length);
  assert.ok([...replies.values()].every((n) => n === 1), 'no request answered twice');
});
