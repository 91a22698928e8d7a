import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openRawSocket, startTestServer } from '@vigil/test-kit';

test('a reader that never confirms what it got is treated as silent once its buffer passes the cap', async (t) => {
  const cap = 16 * 1024;
  const h = await startTestServer(t, { maxSendQueueBytes: cap });
  const sessionId = h.newSessionId();
  const frozen = await openRawSocket(h.url, sessionId, h.token(sessionId));
  const welcome = await frozen.waitFor((m) => m['type'] === 'welcome');
  const frozenId = (welcome['connection'] as { id: string }).id;
  const sender = await h.join(sessionId);
  const states: string[] = [];
  sender.on('connectionStateChanged', ({ connection, state }) => {
    if (connection.connectionId === frozenId) states.push(state);
  });
  // The sender's SDK confirms what it receives; the raw socket never does.
  for (let i = 0; i < 40; i += 1) {
    await sender.signal({ type: 'bulk', data: 'x'.repeat(1_000), to: frozenId });
  }
  assert.deepEqual(states, ['reconnecting']);
  assert.equal(sender.state, 'connected', 'the confirming sender is unaffected');
  assert.equal((await frozen.closed).code, 4002);
});
