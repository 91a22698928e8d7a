import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextEvent, recordEvents, startTestServer } from '@vigil/test-kit';

test('a moderator forces a connection out; everyone sees forceDisconnected once', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const moderator = await h.join(sessionId, { role: 'moderator' });
  const target = await h.join(sessionId);
  const witness = await h.join(sessionId, { role: 'subscriber' });
  const witnessed = recordEvents(witness, 'connectionDestroyed');
  const targetGone = nextEvent(target, 'sessionDisconnected');
  const seen = nextEvent(witness, 'connectionDestroyed');
  await moderator.forceDisconnect(target.connection!);
  assert.equal((await targetGone).reason, 'forceDisconnected');
  const event = await seen;
  assert.equal(event.reason, 'forceDisconnected');
  assert.equal(event.connection.connectionId, target.connection?.connectionId ?? event.connection.connectionId);
  await witness.signal({ data: 'sync' });
  assert.equal(witnessed.length, 1);
});

test('publishers and subscribers may not force anyone out (NOT_PERMITTED)', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const victim = await h.join(sessionId);
  for (const role of ['publisher', 'subscriber', 'publisheronly'] as const) {
    const session = await h.join(sessionId, { role });
    await assert.rejects(session.forceDisconnect(victim.connection!), { code: 'NOT_PERMITTED' });
  }
  assert.equal(victim.state, 'connected');
  const moderator = await h.join(sessionId, { role: 'moderator' });
  await assert.rejects(moderator.forceDisconnect('no-such-connection'), { code: 'CONNECTION_NOT_FOUND' });
});
