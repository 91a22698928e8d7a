import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP load balancer in front of several Vigil nodes: each new connection goes to the next
 * backend in turn, skipping ones that refuse (a killed node). Clients given its URL land on any node,
 * as behind a real balancer. Stop it with `close()`.
 */
export class TcpBalancer {
  readonly #server: Server;
  readonly #backends: { host: string; port: number }[];
  readonly #sockets = new Set<Socket>();
  /** Open pairs by backend URL, so one backend's clients can be cut. */
  readonly #pairs = new Map<string, Set<{ client: Socket; upstream: Socket }>>();
  /** While true, new connections are refused at once (the clients' network is down). */
  refusing = false;
  #only: Set<string> | undefined;
  #next = 0;
  /** Connections accepted, per backend URL. */
  readonly routed = new Map<string, number>();
  url = '';

  private constructor(backendUrls: string[]) {
    this.#backends = backendUrls.map((u) => {
      const url = new URL(u);
      return { host: url.hostname, port: Number(url.port) };
    });
    this.#server = createServer((client) => this.#accept(client, 0));
  }

  static async start(backendUrls: string[]): Promise<TcpBalancer> {
    const balancer = new TcpBalancer(backendUrls);
    await new Promise<void>((resolve) => balancer.#server.listen(0, '127.0.0.1', resolve));
    const { port } = balancer.#server.address() as { port: number };
    balancer.url = `http://127.0.0.1:${port}`;
    return balancer;
  }

  /** Routes new connections only to these backends (e.g. to take a node out before draining it). */
  use(backendUrls: string[]): void {
    this.#only = new Set(backendUrls.map((u) => new URL(u).origin));
  }

  /** Sends the next connections to this backend first (then round robin again). */
  prefer(backendUrl: string): void {
    const port = Number(new URL(backendUrl).port);
    const index = this.#backends.findIndex((b) => b.port === port);
    if (index >= 0) {
      this.#next = index;
    }
  }

  /** Cuts every open connection to `backendUrl` (as a network drop would); returns how many. */
  cut(backendUrl: string): number {
    const pairs = this.#pairs.get(new URL(backendUrl).origin) ?? new Set();
    for (const pair of pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    const count = pairs.size;
    pairs.clear();
    return count;
  }

  #accept(client: Socket, tried: number): void {
    if (this.refusing || tried >= this.#backends.length) {
      client.destroy();
      return;
    }
    const backend = this.#backends[this.#next % this.#backends.length] as { host: string; port: number };
    this.#next += 1;
    if (this.#only && !this.#only.has(`http://${backend.host}:${backend.port}`)) {
      this.#accept(client, tried + 1);
      return;
    }
    client.pause();
    const upstream = connect(backend.port, backend.host);
    upstream.once('error', () => {
      upstream.destroy();
      if (!client.destroyed) {
        this.#accept(client, tried + 1);
      }
    });
    upstream.once('connect', () => {
      const key = `http://${backend.host}:${backend.port}`;
      this.routed.set(key, (this.routed.get(key) ?? 0) + 1);
      upstream.removeAllListeners('error');
      this.#sockets.add(client).add(upstream);
      const pair = { client, upstream };
      const pairs = this.#pairs.get(key) ?? new Set();
      this.#pairs.set(key, pairs.add(pair));
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.#sockets.delete(client);
        this.#sockets.delete(upstream);
        pairs.delete(pair);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
