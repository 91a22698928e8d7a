import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextEvent, startTestServer } from '@vigil/test-kit';

test('a joining client learns who is already there, and the others see it arrive', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const alice = await h.join(sessionId, { data: 'name=alice' });
  const bobSession = h.session(sessionId);
  const aliceSeesBob = nextEvent(alice, 'connectionCreated');
  const connected = nextEvent(bobSession, 'sessionConnected');
  await bobSession.connect(h.token(sessionId, { data: 'name=bob' }));
  const { connections } = await connected;
  assert.deepEqual(
    connections.map((c) => c.data).sort(),
    ['name=alice', 'name=bob'],
  );
  const { connection } = await aliceSeesBob;
  assert.equal(connection.data, 'name=bob');
  assert.equal(connection.connectionId, bobSession.connection?.connectionId);
  assert.equal(alice.connections.length, 2);
});

test('leaving produces exactly one connectionDestroyed with reason clientDisconnected', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const alice = await h.join(sessionId);
  const bob = await h.join(sessionId);
  const destroyed: string[] = [];
  alice.on('connectionDestroyed', ({ reason }) => destroyed.push(reason));
  const gone = nextEvent(alice, 'connectionDestroyed');
  const bobDisconnected = nextEvent(bob, 'sessionDisconnected');
  bob.disconnect();
  bob.disconnect();
  assert.equal((await bobDisconnected).reason, 'clientDisconnected');
  const event = await gone;
  assert.equal(event.reason, 'clientDisconnected');
  await alice.signal({ data: 'sync' }); // a round trip, so any duplicate would have arrived
  assert.deepEqual(destroyed, ['clientDisconnected']);
  assert.equal(alice.connections.length, 1);
});

test('sessions are isolated from each other', async (t) => {
  const h = await startTestServer(t);
  const one = await h.join(h.newSessionId());
  const other = await h.join(h.newSessionId());
  let leaked = false;
  other.on('signal', () => {
    leaked = true;
  });
  const own = nextEvent(one, 'signal');
  await one.signal({ data: 'x' });
  await own;
  const probe = nextEvent(other, 'signal:probe');
  await other.signal({ type: 'probe', data: 'y' });
  await probe;
  assert.equal(leaked, true, 'other receives its own broadcast');
  assert.equal(one.connections.length, 1);
  assert.equal(other.connections.length, 1);
});
