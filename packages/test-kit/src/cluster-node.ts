import { spawn } from 'node:child_process';
import { stopChildProcess } from './child-process.js';
import { repoPath } from './repo-path.js';

/** One `vigil serve` node as a real process, pointed at a shared Redis. */
export interface ClusterNode {
  readonly url: string;
  readonly pid: number;
  readonly nodeId: string;
  /** What the process wrote to stderr (its log), for failure messages. */
  log(): string;
  /** SIGKILL: the node dies without telling anyone (its lease runs out). */
  kill(): Promise<void>;
  /** SIGTERM: a graceful drain; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface ClusterNodeOptions {
  redisUrl: string;
  apiKey: string;
  apiSecret: string;
  /** Extra `vigil serve` flags, e.g. `['--network-grace-ms', '2000', '--node-lease-ms', '1000']`. */
  args?: string[];
  /** Added to the process's environment, e.g. `NODE_EXTRA_CA_CERTS` for a Redis with a private CA. */
  env?: Record<string, string>;
}

/**
 * Starts `vigil serve --redis … --port 0` from the built CLI and waits for it to print its URL
 * (bounded to 20 s). The caller stops it; `kill`/`stop` act on this PID only.
 */
export async function startClusterNode(options: ClusterNodeOptions): Promise<ClusterNode> {
  const bin = repoPath('packages/cli/dist/src/bin/vigil.js');
  // `--flag=value`: a random secret may start with '-', which parseArgs would take for an option.
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--port', '0', '--no-demo', '--log-level', 'info', '--redis', options.redisUrl, `--api-key=${options.apiKey}`, `--api-secret=${options.apiSecret}`, ...(options.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } },
  );
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-20_000)));
  const closed = new Promise((resolve) => child.once('close', resolve)); // its output all read
  const deadline = Date.now() + 20_000;
  while (!/State:.*\(node (\S+)\)/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      await closed;
      throw new Error(`vigil serve did not start (exit ${child.exitCode}): ${out}\n${err}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = /running at (http:\/\/\S+)/.exec(out)?.[1] ?? '';
  const nodeId = /\(node (\S+)\)/.exec(out)?.[1] ?? '';
  return {
    url,
    pid: child.pid ?? -1,
    nodeId,
    log: () => err,
    kill: () => stopChildProcess(child, 'SIGKILL'),
    async stop() {
      await stopChildProcess(child, 'SIGTERM', 15_000);
      return child.exitCode;
    },
  };
}
