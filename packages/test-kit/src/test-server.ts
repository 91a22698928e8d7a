import { WebSocket } from 'ws';
import { initSession, type Session, type SessionOptions } from '@vigil/client';
import { createSessionId, randomId, type MediaMode, type Role } from '@vigil/protocol';
import { createServer, mintClientToken, mintProjectJwt, silentLogger, type ServerOptions, type VigilServer } from '@vigil/server';

export interface TestServer {
  server: VigilServer;
  url: string;
  apiKey: string;
  apiSecret: string;
  /** Mints a new session id for this server's key. */
  newSessionId(mediaMode?: MediaMode): string;
  /** Mints a client token (JWT unless `format: 't1'`). */
  token(sessionId: string, options?: { role?: Role; data?: string; expireTime?: number; format?: 'jwt' | 't1' }): string;
  /** A REST credential for `X-OPENTOK-AUTH`. */
  restAuth(): string;
  /** A session object with `ws` as its WebSocket, not yet connected. */
  session(sessionId: string, options?: SessionOptions): Session;
  /** Creates and connects a session, tracked for teardown. */
  join(sessionId: string, options?: { role?: Role; data?: string }): Promise<Session>;
  close(): Promise<void>;
}

/** Anything with `after(fn)`, like node:test's `t`, so teardown is registered where the server is made. */
interface TeardownHost {
  after(fn: () => Promise<void> | void): void;
}

/**
 * Starts a real Vigil server on a free loopback port with fresh credentials. With `t`, it and every
 * client it made are closed when the test ends.
 */
export async function startTestServer(t?: TeardownHost, options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const apiKey = String(47_000_000 + Math.floor(Math.random() * 999_999));
  const apiSecret = randomId(40);
  const server = await createServer({ apiKey, apiSecret, port: 0, logger: silentLogger, ...options });
  const sessions: Session[] = [];
  const harness: TestServer = {
    server,
    url: server.url,
    apiKey,
    apiSecret,
    newSessionId: (mediaMode = 'relayed') => createSessionId({ apiKey, mediaMode }),
    token: (sessionId, tokenOptions = {}) => mintClientToken({ apiKey, apiSecret, sessionId, ...tokenOptions }),
    restAuth: () => mintProjectJwt(apiKey, apiSecret),
    session: (sessionId, sessionOptions = {}) => {
      const session = initSession(apiKey, sessionId, { url: server.url, WebSocket, ...sessionOptions });
      sessions.push(session);
      return session;
    },
    async join(sessionId, joinOptions = {}) {
      const session = harness.session(sessionId);
      await session.connect(harness.token(sessionId, joinOptions));
      return session;
    },
    async close() {
      for (const session of sessions) {
        session.disconnect();
      }
      await server.close();
    },
  };
  t?.after(() => harness.close());
  return harness;
}
