import type { TestContext } from 'node:test';
import {
  FakeApns,
  FakeFcm,
  FakeWebPush,
  apnsTestKey,
  fcmTestServiceAccount,
  openRawSocket,
  startTestServer,
  vapidTestKeys,
  type RawSocket,
  type TestServer,
} from '@vigil/test-kit';
import type { PushOptions, ServerOptions } from '@vigil/server';

// Shared set-up of the push tests: the three fake providers, a Vigil server pointed at them, and
// small helpers for raw clients and REST calls.

export const TOPIC = 'com.example.vigil';

export interface PushHarness {
  h: TestServer;
  apns: FakeApns;
  fcm: FakeFcm;
  webpush: FakeWebPush;
  /** The push options the server was started with. */
  push: PushOptions;
}

/** Starts the fakes and a Vigil server with fast retries; all closed when the test ends. */
export async function startPushHarness(
  t: TestContext,
  overrides: { push?: Partial<PushOptions>; server?: Partial<ServerOptions>; now?: () => number; without?: ('apns' | 'fcm' | 'webPush')[] } = {},
): Promise<PushHarness> {
  const now = overrides.now ?? Date.now;
  const key = apnsTestKey();
  const apns = await FakeApns.start({ publicKey: key.publicKey, keyId: key.keyId, teamId: key.teamId, topic: TOPIC, now });
  t.after(() => apns.close());
  const { account, publicKey } = fcmTestServiceAccount('vigil-test');
  const fcm = await FakeFcm.start({ publicKey, clientEmail: account.client_email, projectId: account.project_id, now });
  t.after(() => fcm.close());
  const vapid = vapidTestKeys();
  const webpush = await FakeWebPush.start({ applicationServerKey: vapid.publicKey, now });
  t.after(() => webpush.close());
  const push: PushOptions = {
    apns: { key: key.pem, keyId: key.keyId, teamId: key.teamId, topic: TOPIC, url: apns.url, ...(apns.ca === undefined ? {} : { ca: apns.ca }) },
    fcm: { serviceAccount: account, url: fcm.url, tokenUrl: fcm.tokenUrl },
    webPush: { vapidPublicKey: vapid.publicKey, vapidPrivateKey: vapid.privateKey, subject: 'mailto:ops@example.com', endpointOrigins: [webpush.url] },
    retry: { attempts: 4, baseDelayMs: 20, maxDelayMs: 2_000 },
    signalPushIntervalMs: 0,
    ...overrides.push,
  };
  for (const service of overrides.without ?? []) {
    delete push[service];
  }
  const h = await startTestServer(t, { push, ...overrides.server });
  return { h, apns, fcm, webpush, push };
}

/** A raw client that has joined, with a request helper that waits for its `ack` or `error`. */
export interface RawClient {
  raw: RawSocket;
  id: string;
  request(body: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** `heartbeatMs`: ping that often, for servers with short liveness timers (no SDK heartbeat here). */
export async function joinRaw(h: TestServer, sessionId: string, data = '', heartbeatMs?: number): Promise<RawClient> {
  const raw = await openRawSocket(h.url, sessionId, h.token(sessionId, { data }));
  const welcome = await raw.waitFor((m) => m['type'] === 'welcome');
  if (heartbeatMs !== undefined) {
    const timer = setInterval(() => raw.socket.readyState === 1 && raw.send('{"type":"ping"}'), heartbeatMs);
    timer.unref();
    raw.socket.once('close', () => clearInterval(timer));
  }
  let nextId = 1;
  return {
    raw,
    id: (welcome['connection'] as { id: string }).id,
    async request(body) {
      const id = nextId++;
      raw.send(JSON.stringify({ ...body, id }));
      return raw.waitFor((m) => (m['type'] === 'ack' || m['type'] === 'error') && m['id'] === id);
    },
  };
}

/** A REST call with a fresh project credential (or `auth`, e.g. minted for a shifted clock). */
export async function rest(h: TestServer, method: string, path: string, body?: unknown, auth = h.restAuth()): Promise<{ status: number; body: Record<string, unknown> }> {
  const init: RequestInit = { method, headers: { 'x-opentok-auth': auth, 'content-type': 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`${h.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** Lets in-flight pushes (and their retries) settle before asserting that something did not happen. */
export function settle(ms = 150): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
