import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createSessionId } from '@vigil/protocol';
import { mintClientToken } from '@vigil/server';
import { startTestServer, waitUntil } from '@vigil/test-kit';

/** Attempts a raw WebSocket upgrade and returns the HTTP status and JSON body of the refusal. */
function upgrade(url: string, query: Record<string, string>): Promise<{ status: number; body: { code?: string; message?: string }; upgraded: boolean }> {
  return new Promise((resolve, reject) => {
    const target = new URL(`/v1/ws?${new URLSearchParams(query).toString()}`, url);
    const req = request(target, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ status: 101, body: {}, upgraded: true });
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { code?: string }, upgraded: false }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('bad tokens are refused before the upgrade with an HTTP status and a stable code', async (t) => {
  const h = await startTestServer(t, { timers: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 200, networkGraceMs: 200 } });
  const sessionId = h.newSessionId();
  const past = Math.floor(Date.now() / 1000) - 10;
  const expired = mintClientToken({ apiKey: h.apiKey, apiSecret: h.apiSecret, sessionId, nowSeconds: past - 100, expireTime: past });
  const forged = mintClientToken({ apiKey: h.apiKey, apiSecret: 'not-the-right-secret-000', sessionId });
  const wrongSession = h.token(h.newSessionId());
  const otherKeySession = createSessionId({ apiKey: '11111111' });
  const wrongKey = mintClientToken({ apiKey: '11111111', apiSecret: 'whatever-secret-000000', sessionId: otherKeySession });
  const cases: [Record<string, string>, number, string][] = [
    [{ sessionId }, 401, 'TOKEN_MISSING'],
    [{ sessionId, token: expired }, 401, 'TOKEN_EXPIRED'],
    [{ sessionId, token: forged }, 401, 'TOKEN_INVALID'],
    [{ sessionId, token: wrongSession }, 403, 'TOKEN_WRONG_SESSION'],
    [{ sessionId, token: `${h.token(sessionId)}x` }, 401, 'TOKEN_INVALID'],
    [{ sessionId: otherKeySession, token: wrongKey }, 400, 'SESSION_ID_INVALID'],
    [{ sessionId: 'nonsense', token: h.token(sessionId) }, 400, 'SESSION_ID_INVALID'],
    [{ sessionId, token: h.token(sessionId), protocol: '99' }, 400, 'PROTOCOL_UNSUPPORTED'],
  ];
  for (const [query, status, code] of cases) {
    const result = await upgrade(h.url, query);
    assert.equal(result.upgraded, false, code);
    assert.equal(result.status, status, code);
    assert.equal(result.body.code, code);
    assert.ok(result.body.message);
  }
  assert.equal((await upgrade(h.url, { sessionId, token: h.token(sessionId) })).upgraded, true);
  await waitUntil(() => h.server.connectionCount() === 0, 'the probe socket is gone');
});

test('the client SDK rejects connect() with the server code, and can connect afterwards', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const session = h.session(sessionId);
  const past = Math.floor(Date.now() / 1000) - 10;
  const expired = mintClientToken({ apiKey: h.apiKey, apiSecret: h.apiSecret, sessionId, nowSeconds: past - 100, expireTime: past });
  await assert.rejects(session.connect(expired), { code: 'TOKEN_EXPIRED' });
  await assert.rejects(session.connect(h.token(h.newSessionId())), { code: 'TOKEN_WRONG_SESSION' });
  assert.equal(session.state, 'disconnected');
  await session.connect(h.token(sessionId));
  assert.equal(session.state, 'connected');
  await assert.rejects(session.connect(h.token(sessionId)), { code: 'ALREADY_CONNECTED' });
});

test('an unreachable server gives CONNECT_FAILED, not a hang', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const token = h.token(sessionId);
  const url = h.url;
  await h.close();
  const { initSession } = await import('@vigil/client');
  const { WebSocket } = await import('ws');
  const session = initSession(h.apiKey, sessionId, { url, WebSocket });
  await assert.rejects(session.connect(token), { code: 'CONNECT_FAILED' });
});
