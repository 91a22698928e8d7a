import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { parseSessionId } from '@vigil/protocol';
import { nextEvent, startTestServer } from '@vigil/test-kit';

// The unmodified official SDK, pinned in package.json. It is CommonJS with callbacks; every call is
// wrapped in a promise with a deadline because the SDK has no request timeout (opentok-rest.md P3, P11).
interface OpenTokSession {
  sessionId: string;
  generateToken(options?: Record<string, unknown>): string;
}
interface OpenTokClient {
  createSession(options: Record<string, unknown>, cb: (err: Error | null, session?: OpenTokSession) => void): void;
  generateToken(sessionId: string, options?: Record<string, unknown>, t1?: boolean): string;
}
const OpenTok = createRequire(import.meta.url)('opentok') as new (key: string, secret: string, url: string) => OpenTokClient;

function createSession(ot: OpenTokClient, options: Record<string, unknown> = {}): Promise<OpenTokSession> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error('createSession: no answer in 10 s')), 10_000);
    ot.createSession(options, (err, session) => {
      clearTimeout(deadline);
      if (err || !session) reject(err ?? new Error('no session'));
      else resolve(session);
    });
  });
}

test('createSession through the official SDK returns an OpenTok-format id for our key', async (t) => {
  const h = await startTestServer(t);
  const ot = new OpenTok(h.apiKey, h.apiSecret, h.url);
  const relayed = await createSession(ot);
  assert.match(relayed.sessionId, /^1_[A-Za-z0-9_-]+$/);
  assert.equal(parseSessionId(relayed.sessionId)?.apiKey, h.apiKey);
  assert.equal(parseSessionId(relayed.sessionId)?.mediaMode, 'relayed');
  const routed = await createSession(ot, { mediaMode: 'routed', location: '10.1.2.3' });
  assert.equal(parseSessionId(routed.sessionId)?.mediaMode, 'routed');
  assert.equal(parseSessionId(routed.sessionId)?.location, '10.1.2.3');
});

test('tokens from generateToken (JWT and T1) connect @vigil/client, with role and data', async (t) => {
  const h = await startTestServer(t);
  const ot = new OpenTok(h.apiKey, h.apiSecret, h.url);
  const { sessionId } = await createSession(ot);
  const expireTime = Math.floor(Date.now() / 1000) + 600;
  const moderatorToken = ot.generateToken(sessionId, { role: 'moderator', data: 'name=mod', expireTime });
  const t1Token = ot.generateToken(sessionId, { role: 'publisher', data: 'name=legacy' }, true);
  assert.ok(t1Token.startsWith('T1=='));
  const moderator = h.session(sessionId);
  await moderator.connect(moderatorToken);
  const legacy = h.session(sessionId);
  const seen = nextEvent(moderator, 'connectionCreated');
  await legacy.connect(t1Token);
  assert.equal((await seen).connection.data, 'name=legacy');
  // The moderator role from the SDK token is honoured.
  const out = nextEvent(legacy, 'sessionDisconnected');
  await moderator.forceDisconnect(legacy.connection!);
  assert.equal((await out).reason, 'forceDisconnected');
});

test('a token for a session of another key is refused at connect', async (t) => {
  const h = await startTestServer(t);
  const other = await startTestServer(t);
  const ot = new OpenTok(other.apiKey, other.apiSecret, other.url);
  const { sessionId } = await createSession(ot);
  const token = ot.generateToken(sessionId);
  await assert.rejects(h.session(sessionId).connect(token), { code: 'SESSION_ID_INVALID' });
});

test('a wrong secret or a client token as REST credential gets 403 AUTH_FAILED with a JSON body', async (t) => {
  const h = await startTestServer(t);
  const wrong = new OpenTok(h.apiKey, 'an-entirely-wrong-secret', h.url);
  await assert.rejects(createSession(wrong), /Invalid API key or secret/);
  const sessionId = h.newSessionId();
  const response = await fetch(`${h.url}/session/create`, {
    method: 'POST',
    headers: { 'x-opentok-auth': h.token(sessionId, { expireTime: Math.floor(Date.now() / 1000) + 60 }), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'p2p.preference=enabled',
  });
  assert.equal(response.status, 403);
  assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(((await response.json()) as { code: string }).code, 'AUTH_FAILED');
  const missing = await fetch(`${h.url}/session/create`, { method: 'POST' });
  assert.equal(missing.status, 403);
});
