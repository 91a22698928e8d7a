import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/** What the proxy does with traffic right now. */
export const FaultModes = {
  /** Bytes flow both ways. */
  pass: 'pass',
  /** Sockets stay open but nothing flows, and new connections hang (a dead Wi-Fi link, a frozen NAT). */
  blackhole: 'blackhole',
  /** New connections are refused at once (no route, server unreachable). */
  refuse: 'refuse',
} as const;
export type FaultMode = (typeof FaultModes)[keyof typeof FaultModes];

interface Pair {
  client: Socket;
  upstream: Socket;
  held: { toUpstream: Buffer[]; toClient: Buffer[] };
}

/**
 * A loopback TCP proxy between clients and a Vigil server that can cut, stall (black-hole) or refuse
 * connections on command, for resume and history tests. Stop it with `close()`.
 */
export class FaultProxy {
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #pairs = new Set<Pair>();
  #mode: FaultMode = 'pass';
  url = '';

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Starts a proxy on a free loopback port in front of `targetUrl` (`http://127.0.0.1:PORT`). */
  static async start(targetUrl: string): Promise<FaultProxy> {
    const target = new URL(targetUrl);
    const proxy = new FaultProxy({ host: target.hostname, port: Number(target.port) });
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    proxy.url = `http://127.0.0.1:${(proxy.#server.address() as AddressInfo).port}`;
    return proxy;
  }

  get mode(): FaultMode {
    return this.#mode;
  }

  get openConnections(): number {
    return this.#pairs.size;
  }

  /** Destroys every proxied connection now (both sides see a reset), then behaves as `mode`. */
  cut(mode: FaultMode = 'pass'): void {
    for (const pair of [...this.#pairs]) {
      pair.client.destroy();
      pair.upstream.destroy();
      this.#pairs.delete(pair);
    }
    this.setMode(mode);
  }

  /** Changes what happens to traffic. Leaving `blackhole` delivers what was held, in order. */
  setMode(mode: FaultMode): void {
    this.#mode = mode;
    if (mode === 'pass') {
      for (const pair of this.#pairs) {
        for (const chunk of pair.held.toUpstream.splice(0)) pair.upstream.write(chunk);
        for (const chunk of pair.held.toClient.splice(0)) pair.client.write(chunk);
      }
    }
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    if (this.#mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = connect(this.#target.port, this.#target.host);
    const pair: Pair = { client, upstream, held: { toUpstream: [], toClient: [] } };
    this.#pairs.add(pair);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      this.#pairs.delete(pair);
    };
    client.on('data', (chunk: Buffer) => (this.#mode === 'pass' ? upstream.write(chunk) : pair.held.toUpstream.push(chunk)));
    upstream.on('data', (chunk: Buffer) => (this.#mode === 'pass' ? client.write(chunk) : pair.held.toClient.push(chunk)));
    client.on('close', drop);
    upstream.on('close', drop);
    client.on('error', drop);
    upstream.on('error', drop);
  }
}
