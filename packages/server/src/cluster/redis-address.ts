/** What ioredis needs to find the master through Sentinel. */
export interface SentinelOptions {
  sentinels: { host: string; port: number }[];
  name: string;
  /** React to Sentinel's switch-master announcement instead of waiting for the old master to fail. */
  failoverDetector: boolean;
  password?: string;
  /** The Sentinels' own password (their `requirepass`), when they have one. */
  sentinelPassword?: string;
  db?: number;
}

/** What ioredis's `Cluster` needs: some nodes to start from (it learns the rest), and the credentials. */
export interface ClusterOptions {
  nodes: { host: string; port: number }[];
  /** An ACL user; without one, Redis takes the password as the `default` user's. */
  username?: string;
  password?: string;
  /** `rediss+cluster://`: every link is TLS, checked against Node's CAs (add yours with `NODE_EXTRA_CA_CERTS`). */
  tls?: boolean;
}

const FORMS = 'redis://host:port, rediss://host:port, redis+sentinel://host:port[,host:port]/master-name or redis+cluster://host:port[,host:port] (rediss+cluster:// for TLS)';

/**
 * Where a deployment's Redis is, from one URL (`--redis`, `VIGIL_REDIS_URL`):
 * - `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS): one server;
 * - `redis+sentinel://[password@]host:port[,host:port…]/<master name>[/db][?sentinelPassword=…]`: the
 *   master that Sentinel names, followed through failovers (`password` is the master's; Sentinels
 *   with a password of their own get `sentinelPassword`, URL-encoded);
 * - `redis+cluster://[[user:]password@]host:port[,host:port…]`, or `rediss+cluster://…` (TLS): a Redis
 *   Cluster, found from any of these nodes (no database number: a Cluster has only database 0).
 * Users and passwords are percent-encoded, as in any URL.
 * Hosts may be IPv6 in brackets (`[::1]:6379`). Throws a plain error naming the problem for anything else.
 */
export function redisOptionsFor(url: string): { url: string } | { sentinel: SentinelOptions } | { cluster: ClusterOptions } {
  if (/^rediss?:\/\//.test(url)) {
    return { url };
  }
  const cluster = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/@]+)$/.exec(url);
  if (cluster) {
    const [, scheme, userInfo = '', hosts = ''] = cluster;
    const options: ClusterOptions = { nodes: hostPorts(`${scheme}+cluster`, hosts) };
    const colon = userInfo.indexOf(':');
    const [username, password] = colon < 0 ? ['', userInfo] : [userInfo.slice(0, colon), userInfo.slice(colon + 1)];
    if (username) {
      options.username = decoded(username, 'user');
    }
    if (password) {
      options.password = decoded(password, 'password');
    }
    if (scheme === 'rediss') {
      options.tls = true;
    }
    return { cluster: options };
  }
  const match = /^redis\+sentinel:\/\/(?:([^@/]*)@)?([^/]+)\/([A-Za-z0-9._-]+)(?:\/(\d{1,2}))?(?:\?sentinelPassword=([^&#]+))?$/.exec(url);
  if (!match) {
    throw new Error(`expected ${FORMS}`);
  }
  const [, password, hosts = '', name = '', db, sentinelPassword] = match;
  const options: SentinelOptions = { sentinels: hostPorts('redis+sentinel', hosts), name, failoverDetector: true };
  if (password) {
    options.password = decoded(password, 'password');
  }
  if (db !== undefined) {
    options.db = Number(db);
  }
  if (sentinelPassword !== undefined) {
    options.sentinelPassword = decoded(sentinelPassword, 'sentinelPassword');
  }
  return { sentinel: options };
}

/** `host:port[,host:port…]`, each host a name, an IPv4 address or `[ipv6]`, each port 1–65535. */
function hostPorts(scheme: string, hosts: string): { host: string; port: number }[] {
  return hosts.split(',').map((entry) => {
    const hostPort = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:,[\]]+)):(\d{1,5})$/.exec(entry);
    const port = Number(hostPort?.[3]);
    if (!hostPort || port < 1 || port > 65_535) {
      throw new Error(`${scheme}: "${entry}" is not host:port`);
    }
    return { host: (hostPort[1] ?? hostPort[2]) as string, port };
  });
}

/** A URL part, percent-decoded; a stray `%` is a clear error rather than "URI malformed". */
function decoded(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new Error(`the ${what} is not percent-encoded (encode it with encodeURIComponent: a % becomes %25)`);
  }
}

/**
 * The URL as logs and errors may show it: everything between `//` and the last `@` before the query
 * (the user and password, even one holding a raw `/` or `@`) and a `sentinelPassword` replaced by `***`.
 */
export function redactRedisUrl(url: string): string {
  const query = url.indexOf('?');
  const beforeQuery = query < 0 ? url : url.slice(0, query);
  const start = beforeQuery.indexOf('//');
  const at = beforeQuery.lastIndexOf('@');
  const redacted = start >= 0 && at > start ? `${url.slice(0, start + 2)}***${url.slice(at)}` : url;
  return redacted.replace(/([?&]sentinelPassword=)[^&#]*/, '$1***');
}
