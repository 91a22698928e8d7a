import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultProxy, nextEvent, startTestServer } from '@vigil/test-kit';
import { createServer, silentLogger } from '@vigil/server';

test('/healthz, /readyz and /metrics report the server and what it did', async (t) => {
  const h = await startTestServer(t, { timers: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 400, networkGraceMs: 5_000 } });
  assert.deepEqual(await (await fetch(`${h.url}/healthz`)).json(), { status: 'ok' });
  const ready = await fetch(`${h.url}/readyz`);
  assert.equal(ready.status, 200);

  const proxy = await FaultProxy.start(h.url);
  t.after(() => proxy.close());
  const sessionId = h.newSessionId();
  const a = h.session(sessionId, { url: proxy.url, reconnect: { baseDelayMs: 5, maxDelayMs: 20 } });
  await a.connect(h.token(sessionId));
  const b = await h.join(sessionId);
  await b.signal({ data: 'one' });
  await b.signal({ data: 'two' });
  proxy.cut('pass');
  await nextEvent(a, 'sessionReconnected');
  b.disconnect();

  const response = await fetch(`${h.url}/metrics`);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  const value = (line: string): number => Number(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  assert.equal(value('vigil_connections_joined_total'), 2);
  assert.equal(value('vigil_signals_total'), 2);
  assert.equal(value('vigil_signal_deliveries_total'), 4);
  assert.equal(value('vigil_resumes_total'), 1);
  assert.equal(value('vigil_connections_away_total{state="reconnecting"}'), 1);
  await new Promise((r) => setTimeout(r, 100));
  const later = await (await fetch(`${h.url}/metrics`)).text();
  assert.match(later, /^vigil_connections_destroyed_total\{reason="clientDisconnected"\} 1$/m);
  assert.match(later, /^vigil_connections 1$/m);
  assert.match(later, /^vigil_sessions 1$/m);

  await h.server.close();
});

test('createServer refuses a publicUrl that is not a base URL, before listening', async () => {
  for (const publicUrl of ['node-1.example:4000', 'ftp://node-1.example', 'http://node-1.example/path', 'http://a b']) {
    await assert.rejects(createServer({ apiKey: '47000001', apiSecret: 'a-long-random-secret-value', port: 0, logger: silentLogger, publicUrl }), /publicUrl must be a base URL/, publicUrl);
  }
  const server = await createServer({ apiKey: '47000001', apiSecret: 'a-long-random-secret-value', port: 0, logger: silentLogger, publicUrl: 'https://node-1.example:4000' });
  await server.close();
});
