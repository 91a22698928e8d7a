import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { callSdk, createOpenTok, nextEvent, rawHttp, startTestServer, type OpenTokSdk, type TestServer } from '@vigil/test-kit';

// One test per pitfall of opentok-rest.md §7 that applies to the signal, forceDisconnect and
// inspection routes, plus the §3 JWT refusals.

function sign(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string): string {
  const h = Buffer.from(JSON.stringify(header)).toString('base64url');
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${h}.${p}.${createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')}`;
}

function createSession(ot: OpenTokSdk, options: Record<string, unknown> = {}): Promise<string> {
  return callSdk('createSession', (cb) => ot.createSession(options, cb)).then(({ error, values }) => {
    const sessionId = (values[0] as { sessionId?: unknown } | undefined)?.sessionId;
    if (error || typeof sessionId !== 'string') {
      throw error ?? new Error('createSession: no session id');
    }
    return sessionId;
  });
}

/** A live session with one member, so every in-scope route has something to act on. */
async function liveSession(h: TestServer) {
  const sessionId = h.newSessionId();
  const member = await h.join(sessionId);
  const connectionId = member.connection?.connectionId ?? '';
  const base = `/v2/project/${h.apiKey}/session/${sessionId}`;
  return { sessionId, member, connectionId, base };
}

test('P5: every JSON answer, success or error, is exactly application/json; 204s carry no type', async (t) => {
  const h = await startTestServer(t);
  const { base, connectionId } = await liveSession(h);
  const auth = { 'x-opentok-auth': h.restAuth() };
  const json = { ...auth, 'content-type': 'application/json' };
  const answers = [
    await rawHttp(h.url, { method: 'GET', path: base, headers: auth }),
    await rawHttp(h.url, { method: 'GET', path: `${base}/connection/${connectionId}`, headers: auth }),
    await rawHttp(h.url, { method: 'POST', path: `${base}/signal`, headers: json, body: '{' }),
    await rawHttp(h.url, { method: 'POST', path: `${base}/signal`, headers: {}, body: '{"data":"x"}' }),
    await rawHttp(h.url, { method: 'DELETE', path: `${base}/connection/nobody`, headers: auth }),
    await rawHttp(h.url, { method: 'POST', path: `/v2/project/${h.apiKey}/archive`, headers: json, body: '{}' }),
    await rawHttp(h.url, { method: 'GET', path: '/v1/openapi.json' }),
  ];
  for (const answer of answers) {
    assert.equal(answer.contentType?.split(';')[0], 'application/json', answer.text.slice(0, 80));
    assert.ok(answer.text.length > 0);
  }
  const noContent = await rawHttp(h.url, { method: 'POST', path: `${base}/signal`, headers: json, body: '{"data":"x"}' });
  assert.deepEqual([noContent.status, noContent.contentType, noContent.text], [204, undefined, '']);
});

test('P1: no error answer is ever an empty body; each is {code, message}', async (t) => {
  const h = await startTestServer(t);
  const { base } = await liveSession(h);
  const requests: Parameters<typeof rawHttp>[1][] = [
    { method: 'POST', path: `${base}/signal` },
    { method: 'POST', path: `${base}/signal`, headers: { 'x-opentok-auth': h.restAuth(), 'content-type': 'text/plain' }, body: 'hi' },
    { method: 'POST', path: `${base}/signal`, headers: { 'x-opentok-auth': h.restAuth(), 'content-type': 'application/json' }, body: 'x'.repeat(70_000) },
    { method: 'PUT', path: `${base}/signal`, headers: { 'x-opentok-auth': h.restAuth() } },
    { method: 'DELETE', path: `${base}/connection/x`, headers: { 'x-opentok-auth': h.restAuth() } },
    { method: 'GET', path: `/v2/project/${h.apiKey}/session/1_bad`, headers: { 'x-opentok-auth': h.restAuth() } },
    { method: 'GET', path: `/v2/project/${h.apiKey}/nothing-here` },
    { method: 'GET', path: '/v2/project/k/session/..%2F..%2Fetc/signal' },
  ];
  for (const request of requests) {
    const answer = await rawHttp(h.url, request);
    assert.ok(answer.status >= 400 && answer.status < 500, `${request.method} ${request.path}: ${answer.status}`);
    const body = answer.json as { code?: unknown; message?: unknown };
    assert.equal(typeof body.code, 'string', answer.text);
    assert.ok(typeof body.message === 'string' && body.message.length > 0);
  }
});

test('form-encoded createSession (the only form body the SDK sends) makes sessions the REST routes act on', async (t) => {
  const h = await startTestServer(t);
  const ot = createOpenTok(h.apiKey, h.apiSecret, h.url);
  const routed = await createSession(ot, { mediaMode: 'routed' });
  const member = await h.join(routed);
  const got = nextEvent(member, 'signal');
  assert.equal((await callSdk('signal', (cb) => ot.signal(routed, null, { data: 'hi' }, cb))).error, null);
  assert.equal((await got).data, 'hi');
  const view = await rawHttp(h.url, { method: 'GET', path: `/v2/project/${h.apiKey}/session/${routed}`, headers: { 'x-opentok-auth': h.restAuth() } });
  assert.equal((view.json as { mediaMode: string }).mediaMode, 'routed');
  // The same form, by hand: the session id works in the REST paths.
  const form = await rawHttp(h.url, {
    method: 'POST',
    path: '/session/create',
    headers: { 'x-opentok-auth': h.restAuth(), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'archiveMode=manual&p2p.preference=disabled',
  });
  const [created] = form.json as [{ session_id: string; media_mode: string }];
  assert.equal(created.media_mode, 'routed');
  await h.join(created.session_id);
  assert.equal((await callSdk('signal', (cb) => ot.signal(created.session_id, null, { data: 'x' }, cb))).error, null);
});

test('P10: a base URL with a trailing slash (`//v2/…`) works for every in-scope call', async (t) => {
  const h = await startTestServer(t);
  const ot = createOpenTok(h.apiKey, h.apiSecret, `${h.url}/`);
  const sessionId = await createSession(ot);
  const member = await h.join(sessionId);
  const connectionId = member.connection?.connectionId ?? '';
  const toAll = nextEvent(member, 'signal:all');
  assert.equal((await callSdk('signal', (cb) => ot.signal(sessionId, null, { type: 'all', data: '' }, cb))).error, null);
  await toAll;
  const toOne = nextEvent(member, 'signal:one');
  assert.equal((await callSdk('signal', (cb) => ot.signal(sessionId, connectionId, { type: 'one', data: '' }, cb))).error, null);
  await toOne;
  const view = await rawHttp(h.url, { method: 'GET', path: `//v2/project/${h.apiKey}//session/${sessionId}`, headers: { 'x-opentok-auth': h.restAuth() } });
  assert.equal(view.status, 200);
  const out = nextEvent(member, 'sessionDisconnected');
  assert.equal((await callSdk('forceDisconnect', (cb) => ot.forceDisconnect(sessionId, connectionId, cb))).error, null);
  assert.equal((await out).reason, 'forceDisconnected');
});

test('numeric-string API keys: an SDK built with the key as a number works (iss is a string, P20)', async (t) => {
  const h = await startTestServer(t);
  assert.match(h.apiKey, /^\d+$/);
  const ot = createOpenTok(Number(h.apiKey), h.apiSecret, h.url);
  const sessionId = await createSession(ot);
  const member = h.session(sessionId);
  await member.connect(ot.generateToken(sessionId, { role: 'moderator' }));
  const got = nextEvent(member, 'signal');
  assert.equal((await callSdk('signal', (cb) => ot.signal(sessionId, null, { data: 'n' }, cb))).error, null);
  assert.equal((await got).from, null);
});

test('P12: identical JWTs within one second are all accepted (no replay cache)', async (t) => {
  const h = await startTestServer(t);
  const { base } = await liveSession(h);
  const auth = h.restAuth();
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => rawHttp(h.url, { method: 'POST', path: `${base}/signal`, headers: { 'x-opentok-auth': auth, 'content-type': 'application/json' }, body: '{"data":"r"}' })),
  );
  assert.deepEqual([...new Set(answers.map((a) => a.status))], [204]);
});

test('§3 refusals: alg none, wrong secret, client token (P13), expired, too long-lived, iss not the path key', async (t) => {
  const h = await startTestServer(t);
  const { sessionId, base, connectionId } = await liveSession(h);
  const now = Math.floor(Date.now() / 1000);
  const hs = { alg: 'HS256', typ: 'JWT' };
  const claims = { iss: h.apiKey, ist: 'project', iat: now, exp: now + 300 };
  const sdk = createOpenTok(h.apiKey, h.apiSecret, h.url);
  const refused: [string, string][] = [
    ['alg none', `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`],
    ['alg HS512', sign({ alg: 'HS512', typ: 'JWT' }, claims, h.apiSecret)],
    ['wrong secret', sign(hs, claims, 'an-entirely-wrong-secret')],
    ['client token (P13)', sdk.generateToken(sessionId, { expireTime: now + 60 })],
    ['client token made by the server', h.token(sessionId, { expireTime: now + 60 })],
    ['expired', sign(hs, { ...claims, iat: now - 1000, exp: now - 700 }, h.apiSecret)],
    ['issued in the future', sign(hs, { ...claims, iat: now + 600, exp: now + 900 }, h.apiSecret)],
    ['lifetime over 300 s', sign(hs, { ...claims, exp: now + 3600 }, h.apiSecret)],
    ['ist not project', sign(hs, { ...claims, ist: 'user' }, h.apiSecret)],
    ['iss of another key', sign(hs, { ...claims, iss: '12345678' }, h.apiSecret)],
    ['not a JWT', 'Bearer something'],
  ];
  const routes = [
    { method: 'POST', path: `${base}/signal`, body: '{"data":"x"}' },
    { method: 'POST', path: `${base}/connection/${connectionId}/signal`, body: '{"data":"x"}' },
    { method: 'DELETE', path: `${base}/connection/${connectionId}` },
    { method: 'GET', path: base },
  ];
  for (const [why, jwt] of refused) {
    for (const route of routes) {
      const answer = await rawHttp(h.url, { ...route, headers: { 'x-opentok-auth': jwt, 'content-type': 'application/json' } });
      assert.equal(answer.status, 403, `${why}: ${route.method} ${route.path}`);
      assert.equal((answer.json as { code: string }).code, 'AUTH_FAILED');
    }
  }
  // iss equal to its own key but the path names another key.
  const otherPath = base.replace(`/project/${h.apiKey}/`, '/project/12345678/');
  const mismatch = await rawHttp(h.url, { method: 'GET', path: otherPath, headers: { 'x-opentok-auth': h.restAuth() } });
  assert.equal(mismatch.status, 403);
  // A 300 s credential exactly as the SDK mints it is fine, and the SDK reports refusals readably.
  assert.equal((await rawHttp(h.url, { method: 'GET', path: base, headers: { 'x-opentok-auth': sign(hs, claims, h.apiSecret) } })).status, 200);
  const wrong = createOpenTok(h.apiKey, 'an-entirely-wrong-secret', h.url);
  const signal = await callSdk('signal', (cb) => wrong.signal(sessionId, null, { data: 'x' }, cb));
  assert.equal(signal.error?.message, 'Invalid API key or secret');
  const force = await callSdk('forceDisconnect', (cb) => wrong.forceDisconnect(sessionId, connectionId, cb));
  assert.equal(force.error?.message, 'Invalid API key or secret');
});
