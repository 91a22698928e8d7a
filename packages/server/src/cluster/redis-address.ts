/** What ioredis needs to find the master through Sentinel. */
export interface SentinelOptions {
  sentinels: { host: string; port: number }[];
  name: string;
  /** React to Sentinel's switch-master announcement instead of waiting for the old master to fail. */
  failoverDetector: boolean;
  password?: string;
  db?: number;
}

/**
 * Where a deployment's Redis is, from one URL (`--redis`, `VIGIL_REDIS_URL`):
 * - `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS): one server;
 * - `redis+sentinel://[password@]host:port[,host:port…]/<master name>[/db]`: the master that Sentinel
 *   names, followed through failovers.
 * Throws a plain error naming the problem for anything else.
 */
export function redisOptionsFor(url: string): { url: string } | { sentinel: SentinelOptions } {
  if (/^rediss?:\/\//.test(url)) {
    return { url };
  }
  const match = /^redis\+sentinel:\/\/(?:([^@/]*)@)?([^/]+)\/([A-Za-z0-9._-]+)(?:\/(\d{1,2}))?$/.exec(url);
  if (!match) {
    throw new Error('expected redis://host:port, rediss://host:port or redis+sentinel://host:port[,host:port]/master-name');
  }
  const [, password, hosts = '', name = '', db] = match;
  const sentinels = hosts.split(',').map((entry) => {
    // host:port, or [ipv6]:port
    const hostPort = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:,[\]]+)):(\d{1,5})$/.exec(entry);
    const port = Number(hostPort?.[3]);
    if (!hostPort || port < 1 || port > 65_535) {
      throw new Error(`redis+sentinel: "${entry}" is not host:port`);
    }
    return { host: (hostPort[1] ?? hostPort[2]) as string, port };
  });
  const options: SentinelOptions = { sentinels, name, failoverDetector: true };
  if (password) {
    options.password = decodeURIComponent(password);
  }
  if (db !== undefined) {
    options.db = Number(db);
  }
  return { sentinel: options };
}
