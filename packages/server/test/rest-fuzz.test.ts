import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCodes } from '@vigil/protocol';
import { callSdk, createOpenTok, nextEvent, rawHttp, startTestServer, type RawHttpRequest } from '@vigil/test-kit';

// Random and hostile REST input: bad JSON, wrong types, oversize bodies and headers, unknown ids,
// traversal attempts in ids, odd content types. Every answer must be a 4xx (or a 2xx for a request
// that happens to be valid) with a `{code, message}` JSON body, and the server must stay up.

const hostileIds = [
  '..%2F..%2Fetc',
  '..',
  '%2e%2e',
  '..%5C..%5Cwindows',
  'a%2Fb',
  '%00',
  '%u002e',
  '....%2F%2F',
  '%252e%252e%252f',
  'x'.repeat(300),
  '%E2%80%AE',
  '1_MX4',
  '__proto__',
  'constructor',
  'toString',
];

const bodies: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant(''),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 300 }),
  fc.record({ type: fc.string({ maxLength: 140 }), data: fc.string({ maxLength: 200 }) }).map((b) => JSON.stringify(b)),
  fc.record({ type: fc.anything({ maxDepth: 1 }), data: fc.anything({ maxDepth: 1 }) }).map((b) => JSON.stringify(b) ?? 'null'),
  fc.constantFrom('{', '{"data":', '[1,2', '{"data":"\\ud800"}', 'null', 'true', '"str"', '{"__proto__":{"data":"x"}}', 'type=chat&data=hi'),
  fc.integer({ min: 8_190, max: 8_200 }).map((n) => JSON.stringify({ data: 'y'.repeat(n) })),
  fc.constant(JSON.stringify({ data: 'z'.repeat(70_000) })),
);

const contentTypes = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  '',
);

interface Plan {
  method: string;
  template: string;
  id: string;
  auth: 'valid' | 'none' | 'junk';
  contentType: string | undefined;
  body: string | undefined;
  hugeHeader: boolean;
}

test('2 000 random and hostile REST requests: 4xx JSON errors, no 5xx, the server stays up', async (t) => {
  const h = await startTestServer(t);
  const sessionId = h.newSessionId();
  const bystander = await h.join(sessionId);
  const live = bystander.connection?.connectionId ?? '';
  const templates = [
    '/v2/project/{k}/session/{s}/signal',
    '/v2/project/{k}/session/{s}/connection/{c}/signal',
    '/v2/project/{k}/session/{s}/connection/{c}',
    '/v2/project/{k}/session/{s}',
    '//v2/project/{k}/session/{s}/signal',
    '/v2/project/{k}/session/{s}/connection/{c}/signal/',
    '/session/create',
  ];
  const plans = fc.sample(
    fc.record<Plan>({
      method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'),
      template: fc.constantFrom(...templates),
      // Mostly real or plausible ids, so requests get past the router and into the handlers.
      id: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(sessionId, 'no-such-id') }, { weight: 2, arbitrary: fc.constantFrom(...hostileIds) }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_%.-]{0,40}$/) }),
      auth: fc.constantFrom('valid', 'valid', 'none', 'junk'),
      contentType: contentTypes,
      body: bodies,
      hugeHeader: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
    }),
    { numRuns: 2_000, seed: 20_261_127 },
  );

  const failures: string[] = [];
  const seen = new Set<string>();
  const run = async (plan: Plan): Promise<void> => {
    // Never aim at the bystander's connection: removing it would be a valid request, not a fuzz failure.
    const connectionId = plan.id === sessionId ? 'someone-else' : plan.id;
    const path = plan.template
      .replace('{k}', plan.id === '__proto__' ? '__proto__' : h.apiKey)
      .replace('{s}', plan.id === 'no-such-id' ? h.newSessionId() : plan.id)
      .replace('{c}', connectionId);
    const headers: Record<string, string> = {};
    if (plan.auth !== 'none') headers['x-opentok-auth'] = plan.auth === 'valid' ? h.restAuth() : 'junk.junk.junk';
    if (plan.contentType !== undefined) headers['content-type'] = plan.contentType;
    // Not with HEAD: the parser fails before the method is known for sure, and a JSON body on a HEAD
    // answer is a framing error for the client (the server answers HEAD bodiless when it can tell).
    if (plan.hugeHeader && plan.method !== 'HEAD') headers['x-padding'] = 'p'.repeat(20_000);
    const request: RawHttpRequest = { method: plan.method, path, headers };
    if (plan.body !== undefined && plan.method !== 'GET' && plan.method !== 'HEAD') request.body = plan.body;
    const what = `${plan.method} ${path.slice(0, 90)} [${plan.contentType ?? '-'}${plan.hugeHeader ? ', huge header' : ''}] ${String(plan.body).slice(0, 40)}`;
    let answer: Awaited<ReturnType<typeof rawHttp>>;
    try {
      answer = await rawHttp(h.url, request);
    } catch (err) {
      failures.push(`${what} → ${(err as { code?: string }).code ?? String(err)}`);
      return;
    }
    const label = `${what} → ${answer.status} ${answer.text.slice(0, 120)}`;
    const code = (answer.json as { code?: unknown } | undefined)?.code;
    seen.add(typeof code === 'string' ? code : String(answer.status));
    if (answer.status >= 500 || answer.status < 200) {
      failures.push(label);
      return;
    }
    if (answer.status >= 300 && plan.method !== 'HEAD') {
      const body = answer.json as { code?: unknown; message?: unknown } | undefined;
      const ok =
        answer.contentType?.split(';')[0] === 'application/json' &&
        typeof body?.code === 'string' &&
        Object.hasOwn(ErrorCodes, body.code) &&
        typeof body.message === 'string' &&
        body.message.length > 0;
      if (!ok) failures.push(label);
    }
  };
  const concurrency = 16;
  for (let i = 0; i < plans.length; i += concurrency) {
    await Promise.all(plans.slice(i, i + concurrency).map(run));
  }
  assert.deepEqual(failures.slice(0, 10), [], `${failures.length} bad answers`);
  // The input reached every layer: router, auth, id checks, body parsing, schemas, limits, lookups.
  for (const expected of ['204', 'NOT_FOUND', 'METHOD_NOT_ALLOWED', 'AUTH_FAILED', 'SESSION_ID_INVALID', 'REQUEST_INVALID', 'REQUEST_TOO_LARGE', 'CONTENT_TYPE_UNSUPPORTED', 'SIGNAL_DATA_TOO_LONG', 'SESSION_NOT_FOUND', 'CONNECTION_NOT_FOUND', 'HEADERS_TOO_LARGE']) {
    assert.ok(seen.has(expected), `no request produced ${expected} (seen: ${[...seen].join(', ')})`);
  }

  // Still up and still correct: the bystander is connected and gets a REST signal from the SDK.
  assert.equal(bystander.state, 'connected');
  assert.equal(bystander.connection?.connectionId, live);
  const ot = createOpenTok(h.apiKey, h.apiSecret, h.url);
  const got = nextEvent(bystander, 'signal:after', { timeoutMs: 10_000 });
  assert.equal((await callSdk('signal', (cb) => ot.signal(sessionId, live, { type: 'after', data: 'fuzz' }, cb))).error, null);
  assert.equal((await got).data, 'fuzz');
  assert.equal((await rawHttp(h.url, { method: 'GET', path: '/v1/info' })).status, 200);
});

test('a header block over the limit gets 431 JSON, and the next request is served', async (t) => {
  const h = await startTestServer(t);
  const huge = await rawHttp(h.url, { method: 'GET', path: '/v1/info', headers: { 'x-padding': 'p'.repeat(64 * 1024) } });
  assert.equal(huge.status, 431);
  assert.deepEqual(huge.json, { code: 'HEADERS_TOO_LARGE', message: ErrorCodes.HEADERS_TOO_LARGE.message });
  assert.equal((await rawHttp(h.url, { method: 'GET', path: '/v1/info' })).status, 200);
});
