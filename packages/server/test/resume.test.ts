import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openRawSocket, openRawSocketWith, startTestServer, waitUntil, type RawSocket } from '@vigil/test-kit';

interface Joined {
  raw: RawSocket;
  id: string;
  resumeToken: string;
  /** Frames processed after the welcome. */
  rx: () => number;
}

async function join(url: string, sessionId: string, token: string): Promise<Joined> {
  const raw = await openRawSocket(url, sessionId, token);
  const welcome = await raw.waitFor((m) => m['type'] === 'welcome');
  return { raw, id: (welcome['connection'] as { id: string }).id, resumeToken: String(welcome['resumeToken']), rx: () => raw.messages.length - 1 };
}

function signalsIn(raw: RawSocket, from = 0): string[] {
  return raw.messages.slice(from).filter((m) => m['type'] === 'signal').map((m) => String(m['data']));
}

test('resume inside the grace: same connection id, missed signals once and in order, peers see no churn', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const away = await join(h.url, sessionId, h.token(sessionId));
  const peer = await join(h.url, sessionId, h.token(sessionId));
  await away.raw.waitFor((m) => m['type'] === 'connectionCreated');
  peer.raw.send(JSON.stringify({ type: 'signal', id: 1, data: 'before' }));
  await away.raw.waitFor((m) => m['type'] === 'signal');
  const rx = away.rx();

  away.raw.socket.terminate();
  await peer.raw.waitFor((m) => m['type'] === 'connectionStateChanged' && m['state'] === 'reconnecting');
  for (let i = 0; i < 5; i += 1) {
    peer.raw.send(JSON.stringify({ type: 'signal', id: 2 + i, data: `missed-${i}` }));
  }
  await peer.raw.waitFor((m) => m['id'] === 6);

  const back = await openRawSocketWith(h.url, { sessionId, resume: away.id, resumeToken: away.resumeToken, rx: String(rx) });
  const resumed = await back.waitFor((m) => m['type'] === 'resumed');
  assert.equal(resumed['connectionId'], away.id);
  assert.equal(resumed['dropped'], 0);
  await waitUntil(() => signalsIn(back).length === 5, 'replayed signals');
  assert.deepEqual(signalsIn(back), ['missed-0', 'missed-1', 'missed-2', 'missed-3', 'missed-4']);
  const active = await peer.raw.waitFor((m) => m['type'] === 'connectionStateChanged' && m['state'] === 'active');
  assert.deepEqual([active['connectionId'], active['reason']], [away.id, 'resumed']);
  assert.ok(!peer.raw.messages.some((m) => m['type'] === 'connectionDestroyed'), 'no destroy');
  assert.equal(peer.raw.messages.filter((m) => m['type'] === 'connectionCreated').length, 0, 'no re-create');

  // The resumed socket is a full member again: its signal reaches the peer with the same id.
  back.send(JSON.stringify({ type: 'signal', id: 1, data: 'after' }));
  const after = await peer.raw.waitFor((m) => m['type'] === 'signal' && m['data'] === 'after');
  assert.equal(after['from'], away.id);
});

test('frames lost in flight are replayed from the count the client reports', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const away = await join(h.url, sessionId, h.token(sessionId));
  const peer = await join(h.url, sessionId, h.token(sessionId));
  for (let i = 0; i < 4; i += 1) {
    peer.raw.send(JSON.stringify({ type: 'signal', id: i + 1, data: `s${i}` }));
  }
  await waitUntil(() => signalsIn(away.raw).length === 4, 'four signals');
  // Pretend the last two frames were still in the kernel buffer when the socket died.
  const rx = away.rx() - 2;
  away.raw.socket.terminate();
  await peer.raw.waitFor((m) => m['type'] === 'connectionStateChanged');
  const back = await openRawSocketWith(h.url, { sessionId, resume: away.id, resumeToken: away.resumeToken, rx: String(rx) });
  const resumed = await back.waitFor((m) => m['type'] === 'resumed');
  assert.equal(resumed['replayed'], 2);
  await waitUntil(() => signalsIn(back).length === 2, 'two replayed');
  assert.deepEqual(signalsIn(back), ['s2', 's3']);
});

test('a re-sent request (same id) after resume is processed once', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const away = await join(h.url, sessionId, h.token(sessionId));
  const peer = await join(h.url, sessionId, h.token(sessionId));
  await away.raw.waitFor((m) => m['type'] === 'connectionCreated');
  away.raw.send(JSON.stringify({ type: 'signal', id: 7, data: 'once' }));
  await peer.raw.waitFor((m) => m['data'] === 'once');
  const rx = away.rx() - 2; // as if neither the ack nor its own copy had arrived
  away.raw.socket.terminate();
  await peer.raw.waitFor((m) => m['type'] === 'connectionStateChanged');
  const back = await openRawSocketWith(h.url, { sessionId, resume: away.id, resumeToken: away.resumeToken, rx: String(rx) });
  const resumed = await back.waitFor((m) => m['type'] === 'resumed');
  assert.equal(resumed['lastRequestId'], 7);
  back.send(JSON.stringify({ type: 'signal', id: 7, data: 'once' }));
  back.send(JSON.stringify({ type: 'signal', id: 8, data: 'sync' }));
  await peer.raw.waitFor((m) => m['data'] === 'sync');
  assert.equal(signalsIn(peer.raw).filter((d) => d === 'once').length, 1);
  assert.equal(back.messages.filter((m) => m['type'] === 'ack' && m['id'] === 7).length, 1, 'the ack is replayed once');
});

test('while away, the byte cap drops the oldest signals and says how many', async (t) => {
  const h = await startTestServer(t, { maxSendQueueBytes: 4_000 });
  const sessionId = h.newSessionId();
  const away = await join(h.url, sessionId, h.token(sessionId));
  const peer = await join(h.url, sessionId, h.token(sessionId));
  await away.raw.waitFor((m) => m['type'] === 'connectionCreated');
  const rx = away.rx();
  away.raw.socket.terminate();
  await peer.raw.waitFor((m) => m['type'] === 'connectionStateChanged');
  for (let i = 0; i < 60; i += 1) {
    peer.raw.send(JSON.stringify({ type: 'signal', id: i + 1, to: away.id, data: `${i}:${'x'.repeat(100)}` }));
  }
  await peer.raw.waitFor((m) => m['id'] === 60);
  const back = await openRawSocketWith(h.url, { sessionId, resume: away.id, resumeToken: away.resumeToken, rx: String(rx) });
  const resumed = await back.waitFor((m) => m['type'] === 'resumed');
  const dropped = Number(resumed['dropped']);
  assert.ok(dropped > 0 && dropped < 60, `dropped ${dropped}`);
  const notice = await back.waitFor((m) => m['type'] === 'signalsDropped');
  assert.equal(notice['count'], dropped);
  const kept = signalsIn(back).map((d) => Number(d.split(':')[0]));
  assert.equal(kept.length, 60 - dropped);
  assert.deepEqual(kept, Array.from({ length: kept.length }, (_, i) => dropped + i), 'the newest, in order');
});

test('resume with a wrong token, or after the grace, is refused with a code; past the grace the id is gone', async (t) => {
  const h = await startTestServer(t, { timers: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 200, networkGraceMs: 300 } });
  const sessionId = h.newSessionId();
  const away = await join(h.url, sessionId, h.token(sessionId));
  const peer = await h.join(sessionId);
  away.raw.socket.terminate();
  await assert.rejects(openRawSocketWith(h.url, { sessionId, resume: away.id, resumeToken: 'wrong', rx: '0' }), /401/);
  const destroyed = await new Promise<string>((resolve) => peer.once('connectionDestroyed', ({ reason }) => resolve(reason)));
  assert.equal(destroyed, 'networkDisconnected');
  await assert.rejects(openRawSocketWith(h.url, { sessionId, resume: away.id, resumeToken: away.resumeToken, rx: '0' }), /404/);
});
