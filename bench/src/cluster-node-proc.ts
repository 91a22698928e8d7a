/**
 * Child process: one Vigil node for the scale-out benchmark — in memory, or on a shared Redis — serving
 * the session the orchestrator names, so several nodes serve the same one.
 */
import { createServer, mintClientToken, silentLogger } from '@vigil/server';
import { toParent } from './ipc.js';
import { serveUsage } from './server-proc-common.js';

interface NodeSettings {
  apiKey: string;
  apiSecret: string;
  sessionId: string;
  redisUrl?: string;
}

const settings = JSON.parse(process.argv[2] ?? '{}') as NodeSettings;
serveUsage();
const server = await createServer({
  apiKey: settings.apiKey,
  apiSecret: settings.apiSecret,
  port: 0,
  logger: silentLogger,
  rateLimit: { burst: 1e9, perSecond: 1e9 },
  ...(settings.redisUrl ? { redis: settings.redisUrl } : {}),
});
const token = mintClientToken({ apiKey: settings.apiKey, apiSecret: settings.apiSecret, sessionId: settings.sessionId, role: 'publisher' });
const query = new URLSearchParams({ sessionId: settings.sessionId, token, protocol: '1' });
toParent({ kind: 'ready', url: `ws://127.0.0.1:${server.port}/v1/ws?${query.toString()}` });
process.on('SIGTERM', () => process.exit(0));
