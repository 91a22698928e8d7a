import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChildProcess } from './child-process.js';
import { distinctFreePorts, launch, redisServerPath } from './redis-server.js';
import { secureRedis, type RedisAuth, type SecureRedis } from './secure-redis.js';

// A real Redis Cluster (masters only, on loopback) for the shared stores' tests: only there do keys of
// different hash slots live on different servers, so a script that strays across slots fails
// (CROSSSLOT) and a store that works on one server is shown to work on a deployment's Cluster too.

/** A running Redis Cluster, owned by the test that started it. */
export interface RedisClusterHandle {
  /**
   * `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,…`, the form `--redis` accepts; with `secure`,
   * `rediss+cluster://vigil:<password>@127.0.0.1:t1,…` (the TLS ports).
   */
  readonly url: string;
  /**
   * Every master, in slot order (the first holds slot 0). `port` is plain TCP, for tests that act on a
   * server directly (with `secure`, `auth` must be sent first).
   */
  readonly nodes: readonly { host: string; port: number; pid: number }[];
  /** With `secure`: the self-signed certificate (PEM) to trust, in a file too, and the ACL user's credentials. */
  readonly secure?: SecureRedis;
  /** With `replicas`: one per master, in the same order (`replicas[i]` follows `nodes[i]`). */
  readonly replicas: readonly { host: string; port: number; pid: number }[];
  /** Stops every server by its PID (SIGTERM, SIGKILL after 5 s) and removes their directories. */
  stop(): Promise<void>;
  /**
   * Stops master `index` (without replicas its slots become unavailable: the cluster refuses commands
   * once it notices; with them, its replica is promoted after the node timeout).
   */
  halt(index: number): Promise<void>;
  /** Starts master `index` again after `halt`, on its port, with its cluster config but empty memory; waits until the cluster is ok. */
  start(index: number): Promise<void>;
}

const SLOTS = 16_384;
const HOST = '127.0.0.1';

/**
 * Starts `masters` (default 3) `redis-server`s in cluster mode on free loopback ports, without
 * persistence or replicas, gives each an even share of the 16384 slots, introduces them to each other,
 * and waits (at most `readyWithinMs`, default 20 s) until every node reports `cluster_state:ok` and
 * knows all the others. On any failure the servers already started are stopped before it throws.
 * `secure` makes it like a managed cluster: clients and the cluster bus speak TLS (a fresh self-signed
 * certificate), and only an ACL user `vigil` with a random password may connect (`default` is off).
 * `'hostnames'` goes further, as managed services do: the servers announce themselves as `localhost`
 * and the certificate names that host only, so a client that connects by address fails its check.
 */
export async function startRedisCluster(options: { masters?: number; replicas?: boolean; secure?: boolean | 'hostnames'; readyWithinMs?: number } = {}): Promise<RedisClusterHandle> {
  const masters = options.masters ?? 3;
  if (!Number.isInteger(masters) || masters < 1 || masters > 16) {
    throw new RangeError(`masters must be an integer from 1 to 16 (got ${masters})`);
  }
  const binary = redisServerPath();
  if (!existsSync(binary)) {
    throw new Error(`redis-server not found at ${binary}; install it with: apt-get install -y redis-server`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-redis-cluster-'));
  const children: (ChildProcess | undefined)[] = [];
  let setup: ReturnType<typeof secureRedis> | undefined;
  try {
    setup = options.secure ? secureRedis(dir, { hostnameOnly: options.secure === 'hostnames' }) : undefined;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const secure = setup?.secure;
  const auth: RedisAuth | undefined = secure;
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((child) => child && stopChildProcess(child)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The bus port is chosen too (not the default port + 10000, which may be past 65535).
    const servers = options.replicas ? 2 * masters : masters;
    const perServer = secure ? 3 : 2;
    const ports = await distinctFreePorts(perServer * servers);
    const nodes = Array.from({ length: servers }, (_, i) => ({
      port: ports[perServer * i] as number,
      bus: ports[perServer * i + 1] as number,
      tlsPort: secure ? (ports[perServer * i + 2] as number) : undefined,
      dir: join(dir, `node-${i}`),
    }));
    const start = (i: number) => {
      const node = nodes[i] as (typeof nodes)[number];
      const args = ['--cluster-enabled', 'yes', '--cluster-config-file', join(node.dir, 'nodes.conf'), '--cluster-node-timeout', '2000', '--cluster-port', String(node.bus), '--cluster-announce-ip', HOST];
      if (setup && node.tlsPort !== undefined) {
        args.push('--tls-port', String(node.tlsPort), ...setup.args, '--tls-cluster', 'yes', '--tls-replication', 'yes', '--masteruser', setup.secure.username, '--masterauth', setup.secure.password);
        if (options.secure === 'hostnames') {
          args.push('--cluster-announce-hostname', 'localhost', '--cluster-preferred-endpoint-type', 'hostname');
        }
      }
      return launch(binary, node.port, node.dir, args).then((child) => {
        children[i] = child;
        return child;
      });
    };
    const launched = await Promise.allSettled(
      nodes.map((node, i) => {
        mkdirSync(node.dir);
        return start(i);
      }),
    );
    const failed = launched.find((result) => result.status === 'rejected');
    if (failed) {
      throw failed.reason;
    }
    for (const [i, node] of nodes.slice(0, masters).entries()) {
      const first = Math.floor((i * SLOTS) / masters);
      const last = Math.floor(((i + 1) * SLOTS) / masters) - 1;
      await command(node.port, auth, 'CLUSTER', 'ADDSLOTSRANGE', String(first), String(last));
    }
    // Each node meets the first; gossip then tells every node about every other.
    for (const node of nodes.slice(1)) {
      await command(node.port, auth, 'CLUSTER', 'MEET', HOST, String(nodes[0]?.port), String(nodes[0]?.bus));
    }
    await waitForClusterOk(nodes.map((node) => node.port), auth, options.readyWithinMs ?? 20_000);
    for (const [i, replica] of nodes.slice(masters).entries()) {
      const master = nodes[i] as (typeof nodes)[number];
      await command(replica.port, auth, 'CLUSTER', 'REPLICATE', await command(master.port, auth, 'CLUSTER', 'MYID'));
    }
    await waitForReplicas(nodes.slice(masters).map((node) => node.port), auth, options.readyWithinMs ?? 20_000);
    const view = (node: (typeof nodes)[number], i: number) => ({ host: HOST, port: node.port, get pid() { return children[i]?.pid ?? -1; } });
    const host = options.secure === 'hostnames' ? 'localhost' : HOST;
    const starts = nodes.slice(0, masters).map((node) => `${host}:${node.tlsPort ?? node.port}`).join(',');
    return {
      url: secure ? `rediss+cluster://${secure.username}:${secure.password}@${starts}` : `redis+cluster://${starts}`,
      ...(secure ? { secure } : {}),
      nodes: nodes.slice(0, masters).map(view),
      replicas: nodes.slice(masters).map((node, i) => view(node, masters + i)),
      stop,
      async halt(index) {
        const child = children[index];
        children[index] = undefined;
        if (child) {
          await stopChildProcess(child);
        }
      },
      async start(index) {
        if (!children[index]) {
          await start(index);
        }
        await waitForClusterOk(nodes.map((node) => node.port), auth, options.readyWithinMs ?? 20_000);
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Polls INFO replication on every replica until its link to its master is up; bounded. */
async function waitForReplicas(ports: number[], auth: RedisAuth | undefined, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    const infos = await Promise.all(ports.map((port) => command(port, auth, 'INFO', 'replication').catch(() => '')));
    if (infos.every((info) => /master_link_status:up/.test(info))) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Redis Cluster replicas did not follow their masters within ${withinMs} ms`);
}

/** Polls CLUSTER INFO on every node until each says the cluster is ok and knows all nodes; bounded. */
async function waitForClusterOk(ports: number[], auth: RedisAuth | undefined, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  let infos: string[] = [];
  while (Date.now() < deadline) {
    infos = await Promise.all(ports.map((port) => command(port, auth, 'CLUSTER', 'INFO').catch((err: unknown) => `error: ${String(err)}`)));
    const ready = infos.every((info) => /cluster_state:ok\r?\n/.test(info) && new RegExp(`cluster_known_nodes:${ports.length}\\r?\\n`).test(info));
    if (ready) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const states = infos.map((info, i) => `${ports[i]}: ${/cluster_state:\w+/.exec(info)?.[0] ?? info}, ${/cluster_known_nodes:\d+/.exec(info)?.[0] ?? '?'}`);
  throw new Error(`Redis Cluster was not ok within ${withinMs} ms (${states.join('; ')})`);
}

/**
 * Sends one command over a fresh connection (after `AUTH`, with `auth`) and resolves with its reply
 * (a simple string, an integer or a bulk string, as text); rejects with a Redis error reply, or after 2 s.
 */
function command(port: number, auth: RedisAuth | undefined, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, HOST);
    let received = Buffer.alloc(0);
    let authorised = auth === undefined;
    const encode = (words: string[]) => `*${words.length}\r\n${words.map((word) => `$${Buffer.byteLength(word)}\r\n${word}\r\n`).join('')}`;
    const finish = (err: Error | undefined, reply = ''): void => {
      socket.destroy();
      if (err) {
        reject(err);
      } else {
        resolve(reply);
      }
    };
    socket.setTimeout(2_000, () => finish(new Error(`redis-server on port ${port}: no reply to ${args.join(' ')} within 2 s`)));
    socket.once('error', (err) => finish(err));
    socket.once('connect', () => socket.write((auth ? encode(['AUTH', auth.username, auth.password]) : '') + encode(args)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (!authorised) {
        const end = received.indexOf('\r\n');
        if (end < 0) {
          return;
        }
        if (received.subarray(0, end).toString() !== '+OK') {
          finish(new Error(`redis-server on port ${port}: AUTH: ${received.subarray(1, end).toString()}`));
          return;
        }
        authorised = true;
        received = received.subarray(end + 2);
      }
      const lineEnd = received.indexOf('\r\n');
      if (lineEnd < 0) {
        return;
      }
      const line = received.subarray(1, lineEnd).toString();
      const type = String.fromCharCode(received[0] ?? 0);
      if (type === '-') {
        finish(new Error(`redis-server on port ${port}: ${args.join(' ')}: ${line}`));
      } else if (type === '$') {
        const length = Number(line);
        if (received.length >= lineEnd + 2 + length + 2) {
          finish(undefined, received.subarray(lineEnd + 2, lineEnd + 2 + length).toString());
        }
      } else {
        finish(undefined, line);
      }
    });
  });
}
