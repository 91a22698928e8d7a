/**
 * Child process: a real Vigil server with one session, reporting a ready-to-use WebSocket URL.
 * Default timers (receivers ping every 2 s, like the SDK), so liveness is part of what is measured.
 */
import { randomBytes } from 'node:crypto';
import { createSessionId } from '@vigil/protocol';
import { createServer, mintClientToken, silentLogger } from '@vigil/server';
import { toParent } from './ipc.js';
import { serveUsage } from './server-proc-common.js';

const apiKey = '47000001';
const apiSecret = randomBytes(24).toString('hex');

serveUsage();
const server = await createServer({
  apiKey,
  apiSecret,
  port: 0,
  logger: silentLogger,
  // The one sender must outpace the per-connection limit meant for abusive clients.
  rateLimit: { burst: 1e9, perSecond: 1e9 },
});
const sessionId = createSessionId({ apiKey });
// Tokens are not single-use, so every bench socket can share one.
const token = mintClientToken({ apiKey, apiSecret, sessionId, role: 'publisher' });
const query = new URLSearchParams({ sessionId, token, protocol: '1' });
toParent({ kind: 'ready', url: `ws://127.0.0.1:${server.port}/v1/ws?${query.toString()}` });
// Exit at once: a graceful close tells 1 000 members about each other's departure (O(N²) frames)
// and would keep burning CPU into the next measurement.
process.on('SIGTERM', () => process.exit(0));
