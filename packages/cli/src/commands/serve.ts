import { parseArgs } from 'node:util';
import { isBaseUrl } from '@vigil/protocol';
import { createConsoleLogger, createServer, LogLevels, redactRedisUrl, redisOptionsFor, type LogLevel, type VigilServer } from '@vigil/server';
import { resolveCredentials } from '../credentials.js';
import { createDemoHandler } from '../demo-routes.js';
import { describePush, loadPushConfig } from '../push-config.js';
import { UsageError, type CommandIo } from './io.js';

export const serveUsage = `vigil serve [--port 4000] [--host 127.0.0.1] [--api-key KEY --api-secret SECRET] [--no-demo]
            [--log-level debug|info|warn|error] [--heartbeat-interval-ms N] [--heartbeat-timeout-ms N]
            [--network-grace-ms N] [--suspend-grace-ms N] [--shutdown-timeout-ms 10000]
            [--push-config push.json] [--apns-url URL] [--fcm-url URL] [--fcm-token-url URL]
            [--redis redis://127.0.0.1:6379 | redis+sentinel://127.0.0.1:26379/mymaster | redis+cluster://127.0.0.1:7000,127.0.0.1:7001] [--redis-prefix vigil:] [--node-lease-ms 10000]
            [--drain-spread-ms 10000] [--max-join-rate N] [--public-url http://node-1.example:4000]
            [--session-affinity routed|all]
  Runs the Vigil server with the demo page and /vigil-client.js. State is in memory, unless --redis
  (or VIGIL_REDIS_URL) points several nodes at one Redis so they serve the same sessions.`;

const TIMER_FLAGS = {
  'heartbeat-interval-ms': 'heartbeatIntervalMs',
  'heartbeat-timeout-ms': 'heartbeatTimeoutMs',
  'network-grace-ms': 'networkGraceMs',
  'suspend-grace-ms': 'suspendGraceMs',
} as const;

/** How each started server stops (its flags), for `stopOnSignals`. */
const stopSettings = new WeakMap<VigilServer, { shutdownTimeoutMs: number; spreadMs: number }>();

function nonNegativeInteger(flag: string, text: string, unit = 'milliseconds'): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new UsageError(`--${flag} must be a non-negative integer (${unit})`);
  }
  return value;
}

/** Starts the server and resolves with it; the caller decides how long it runs. */
export async function runServe(argv: string[], io: CommandIo): Promise<VigilServer> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: io.env['PORT'] ?? '4000' },
      host: { type: 'string', default: io.env['HOST'] ?? '127.0.0.1' },
      'api-key': { type: 'string' },
      'api-secret': { type: 'string' },
      'no-demo': { type: 'boolean', default: false },
      'log-level': { type: 'string', default: io.env['VIGIL_LOG_LEVEL'] ?? 'info' },
      'shutdown-timeout-ms': { type: 'string', default: '10000' },
      // Push wake-up (docs/push.md): credentials in a JSON file; endpoints overridable (local test servers).
      'push-config': { type: 'string' },
      'apns-url': { type: 'string' },
      'fcm-url': { type: 'string' },
      'fcm-token-url': { type: 'string' },
      // Scale-out (docs/scale-out.md).
      redis: { type: 'string', default: io.env['VIGIL_REDIS_URL'] },
      'redis-prefix': { type: 'string' },
      'node-lease-ms': { type: 'string' },
      'drain-spread-ms': { type: 'string', default: '10000' },
      'max-join-rate': { type: 'string' },
      'public-url': { type: 'string', default: io.env['VIGIL_PUBLIC_URL'] },
      'session-affinity': { type: 'string', default: 'routed' },
      ...Object.fromEntries(Object.keys(TIMER_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port must be 0-65535 (got ${values.port})`);
  }
  const level = values['log-level'] as string;
  if (!Object.hasOwn(LogLevels, level)) {
    throw new UsageError(`--log-level must be one of ${Object.keys(LogLevels).join(', ')}`);
  }
  const timers: Record<string, number> = {};
  for (const [flag, name] of Object.entries(TIMER_FLAGS)) {
    const raw = (values as Record<string, unknown>)[flag];
    if (typeof raw === 'string') {
      const value = Number(raw);
      if (!Number.isInteger(value) || value <= 0) {
        throw new UsageError(`--${flag} must be a positive integer (milliseconds)`);
      }
      timers[name] = value;
    }
  }
  const shutdownTimeoutMs = nonNegativeInteger('shutdown-timeout-ms', values['shutdown-timeout-ms'] as string);
  const spreadMs = nonNegativeInteger('drain-spread-ms', values['drain-spread-ms'] as string);
  const joinRate = values['max-join-rate'] === undefined ? undefined : nonNegativeInteger('max-join-rate', values['max-join-rate'], 'new connections per second');
  if (joinRate === 0) {
    throw new UsageError('--max-join-rate must be at least 1 (new connections per second)');
  }
  const affinity = values['session-affinity'];
  if (affinity !== 'routed' && affinity !== 'all') {
    throw new UsageError(`--session-affinity must be routed or all (got ${String(affinity)})`);
  }
  const publicUrl = values['public-url'];
  if (publicUrl !== undefined && !isBaseUrl(publicUrl)) {
    throw new UsageError(`--public-url must be a base URL such as http://node-1.example:4000 (got ${publicUrl})`);
  }
  const redis = values.redis ? parseRedisFlags(values.redis, values['redis-prefix'], values['node-lease-ms']) : undefined;
  const credentials = resolveCredentials({ apiKey: values['api-key'], apiSecret: values['api-secret'] }, io.env, io.cwd);
  const push = loadPushConfig(values, io.cwd);
  const logger = createConsoleLogger(level as LogLevel, (line) => io.stderr(`${line}\n`));
  let server: VigilServer;
  try {
    server = await createServer({
      apiKey: credentials.apiKey,
      apiSecret: credentials.apiSecret,
      port,
      host: values.host,
      timers,
      logger,
      ...(push ? { push } : {}),
      ...(redis ? { redis } : {}),
      ...(joinRate ? { maxJoinRate: { burst: joinRate, perSecond: joinRate } } : {}),
      ...(publicUrl ? { publicUrl } : {}),
      sessionAffinity: affinity,
      httpHandler: createDemoHandler(credentials.apiKey, credentials.apiSecret, { demo: !values['no-demo'] }),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new UsageError(`Port ${port} is in use on ${values.host}: pick another with --port`);
    }
    if (err instanceof TypeError) {
      throw new UsageError(err.message);
    }
    throw err;
  }
  stopSettings.set(server, { shutdownTimeoutMs, spreadMs });
  const from = credentials.source === 'generated' ? `generated, saved in ${credentials.file}` : credentials.source === 'file' ? `from ${credentials.file}` : `from ${credentials.source}`;
  io.stdout(
    [
      `Vigil is running at ${server.url}`,
      `  API key:    ${credentials.apiKey}`,
      `  API secret: ${credentials.apiSecret}   (${from})`,
      values['no-demo'] ? '  Demo:       disabled' : `  Demo:       ${server.url}/?session=demo`,
      `  Client SDK: ${server.url}/vigil-client.js`,
      `  Push:       ${describePush(push)}`,
      `  State:      ${redis ? `shared through ${redactRedisUrl(redis.url)} (node ${server.nodeId ?? '?'})` : 'in this process'}`,
      `  OpenTok SDK: new OpenTok('${credentials.apiKey}', '<secret>', '${server.url}')`,
      '',
    ].join('\n'),
  );
  return server;
}

function parseRedisFlags(url: string, prefix: string | undefined, leaseText: string | undefined): { url: string; prefix?: string; leaseMs?: number } {
  try {
    redisOptionsFor(url);
  } catch (err) {
    throw new UsageError(`--redis: ${(err as Error).message} (got ${redactRedisUrl(url)})`);
  }
  const options: { url: string; prefix?: string; leaseMs?: number } = { url };
  if (prefix !== undefined) {
    if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(prefix)) {
      throw new UsageError('--redis-prefix must be 1-64 characters of A-Z a-z 0-9 : _ . -');
    }
    options.prefix = prefix;
  }
  if (leaseText !== undefined) {
    const leaseMs = Number(leaseText);
    if (!Number.isInteger(leaseMs) || leaseMs < 300) {
      throw new UsageError('--node-lease-ms must be an integer ≥ 300 (milliseconds)');
    }
    options.leaseMs = leaseMs;
  }
  return options;
}


/**
 * Stops on SIGTERM / SIGINT: clients are told `serverShutdown` and the process exits by the deadline.
 * Each client's retry hint is spread over `spreadMs`, so a drained node's clients do not all land on
 * the remaining nodes in the same instant.
 */
export function stopOnSignals(server: VigilServer, io: CommandIo): void {
  const { shutdownTimeoutMs, spreadMs } = stopSettings.get(server) ?? { shutdownTimeoutMs: 10_000, spreadMs: 10_000 };
  const stop = (signal: string): void => {
    io.stderr(`${signal}: shutting down\n`);
    const deadline = setTimeout(() => process.exit(1), shutdownTimeoutMs);
    deadline.unref();
    void server.close({ retryAfterMs: 1_000, retrySpreadMs: spreadMs }).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
