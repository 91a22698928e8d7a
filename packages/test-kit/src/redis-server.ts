import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChildProcess } from './child-process.js';
import { secureRedis, type SecureRedis } from './secure-redis.js';

/** Where Debian's `redis-server` lives; `VIGIL_REDIS_SERVER` overrides it. */
export function redisServerPath(): string {
  return process.env['VIGIL_REDIS_SERVER'] ?? '/usr/bin/redis-server';
}

/** A real `redis-server` on a free loopback port, owned by the test that started it. */
export interface RedisHandle {
  /** `redis://127.0.0.1:<port>`; with `secure`, `rediss://vigil:<password>@127.0.0.1:<TLS port>`. */
  readonly url: string;
  /** The plain TCP port (with `secure`, only the ACL user may act there). */
  readonly port: number;
  /** With `secure`: the certificate to trust and the ACL user. */
  readonly secure?: SecureRedis;
  /** PID of the running server (changes after `restart`). */
  readonly pid: number;
  /** Stops the server (SIGTERM to its PID, SIGKILL after 5 s) and removes its data directory. */
  stop(): Promise<void>;
  /** Stops it and starts a new one on the same port with empty memory (a Redis restart). */
  restart(): Promise<void>;
  /** Stops it without a replacement, keeping the port reserved for `start()`. */
  halt(): Promise<void>;
  /** Starts it again after `halt()`, on the same port. */
  start(): Promise<void>;
}

/**
 * Starts `redis-server` on a free port with no persistence, and waits until it answers PING. Every
 * server is stopped through its PID, never by name, so parallel test files cannot stop each other's.
 * `secure` adds a TLS port and one ACL user (`secure-redis.ts`), as a managed Redis has.
 */
export async function startRedis(options: { args?: string[]; secure?: boolean } = {}): Promise<RedisHandle> {
  const binary = redisServerPath();
  if (!existsSync(binary)) {
    throw new Error(`redis-server not found at ${binary}; install it with: apt-get install -y redis-server`);
  }
  const [port, tlsPort] = (await distinctFreePorts(options.secure ? 2 : 1)) as [number, number | undefined];
  const dir = mkdtempSync(join(tmpdir(), 'vigil-redis-'));
  let setup: ReturnType<typeof secureRedis> | undefined;
  try {
    setup = options.secure ? secureRedis(dir) : undefined;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const secure = setup?.secure;
  const extra = [...(options.args ?? []), ...(setup ? ['--tls-port', String(tlsPort), ...setup.args] : [])];
  let child: ChildProcess | undefined = await launch(binary, port, dir, extra);
  const handle: RedisHandle = {
    url: secure ? `rediss://${secure.username}:${secure.password}@127.0.0.1:${tlsPort}` : `redis://127.0.0.1:${port}`,
    port,
    ...(secure ? { secure } : {}),
    get pid() {
      return child?.pid ?? -1;
    },
    async stop() {
      await handle.halt();
      rmSync(dir, { recursive: true, force: true });
    },
    async halt() {
      const running = child;
      child = undefined;
      if (running) {
        await stopChildProcess(running);
      }
    },
    async start() {
      if (!child) {
        child = await launch(binary, port, dir, extra);
      }
    },
    async restart() {
      await handle.halt();
      await handle.start();
    },
  };
  return handle;
}

/**
 * A Sentinel (`redis-server --sentinel`) on a free port watching the master on `masterPort` as
 * `name`, with a quorum of one and short timers: it notices a dead master after 1 s and promotes a replica.
 */
export async function startSentinel(masterPort: number, name = 'vigil', options: { password?: string } = {}): Promise<RedisHandle & { sentinelUrl: string }> {
  const binary = redisServerPath();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sentinel-'));
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 5000`,
      `sentinel parallel-syncs ${name} 1`,
      ...(options.password === undefined ? [] : [`requirepass ${options.password}`]),
      '',
    ].join('\n'),
  );
  const child = await launchWith(binary, [config, '--sentinel', '--loglevel', 'warning'], port);
  return {
    url: `redis://127.0.0.1:${port}`,
    sentinelUrl: `redis+sentinel://127.0.0.1:${port}/${name}${options.password === undefined ? '' : `?sentinelPassword=${encodeURIComponent(options.password)}`}`,
    port,
    pid: child.pid ?? -1,
    async stop() {
      await stopChildProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
    halt: () => stopChildProcess(child),
    start: () => Promise.reject(new Error('a Sentinel handle cannot be restarted')),
    restart: () => Promise.reject(new Error('a Sentinel handle cannot be restarted')),
  };
}

/** Starts one `redis-server` on `port` (loopback, no persistence, data in `dir`) and waits for PING. */
export function launch(binary: string, port: number, dir: string, extra: string[]): Promise<ChildProcess> {
  return launchWith(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes', '--loglevel', 'warning', ...extra], port);
}

async function launchWith(binary: string, args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before answering: ${stderr}`)));
    child.once('error', reject);
  });
  await Promise.race([waitForPing(port), exited]);
  child.removeAllListeners('exit');
  return child;
}

/** Polls with a raw PING until `+PONG`; bounded to 100 tries over ~10 s. */
async function waitForPing(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (await ping(port)) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    // A server that wants a password answers too: it is up.
    socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}

/** `count` different loopback ports that were free a moment ago (none is bound yet: the OS may repeat one). */
export async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempt = 0; ports.size < count && attempt < count * 10; attempt += 1) {
    ports.add(await freePort());
  }
  if (ports.size < count) {
    throw new Error(`could not find ${count} distinct free ports`);
  }
  return [...ports];
}

/** A loopback port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
