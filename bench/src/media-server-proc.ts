/**
 * Child process of the media benchmark: either Vigil's server (routed sessions, werift forwarding
 * unit) or the baseline, a bare UDP relay that sends every datagram it receives to each registered
 * receiver. Both report their cumulative CPU over IPC so the parent measures only the forwarder.
 */
import { createSocket } from 'node:dgram';
import { randomId } from '@vigil/protocol';
import { createServer, silentLogger } from '@vigil/server';

type FromParent = { type: 'cpu' } | { type: 'receivers'; ports: number[] } | { type: 'stop' };

const send = (message: Record<string, unknown>): void => {
  process.send?.(message);
};

async function main(): Promise<void> {
  const kind = process.argv[2];
  let stop: () => Promise<void>;
  if (kind === 'vigil') {
    const apiKey = '47000999';
    const apiSecret = randomId(40);
    const server = await createServer({ apiKey, apiSecret, logger: silentLogger, rateLimit: { burst: 100_000, perSecond: 100_000 } });
    stop = () => server.close();
    send({ type: 'ready', url: server.url, apiKey, apiSecret });
    process.on('message', (message: FromParent) => {
      if (message.type === 'cpu') {
        const cpu = process.cpuUsage();
        send({ type: 'cpu', us: cpu.user + cpu.system, media: server.mediaStats() });
      }
    });
  } else {
    const socket = createSocket('udp4');
    let ports: number[] = [];
    let forwarded = 0;
    socket.on('message', (data) => {
      for (const port of ports) {
        socket.send(data, port, '127.0.0.1');
      }
      forwarded += ports.length;
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    stop = () => new Promise<void>((resolve) => socket.close(() => resolve()));
    send({ type: 'ready', port: socket.address().port });
    process.on('message', (message: FromParent) => {
      if (message.type === 'receivers') {
        ports = message.ports;
        send({ type: 'receivers' });
      } else if (message.type === 'cpu') {
        const cpu = process.cpuUsage();
        send({ type: 'cpu', us: cpu.user + cpu.system, forwarded });
      }
    });
  }
  process.on('message', (message: FromParent) => {
    if (message.type === 'stop') {
      void stop().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
}

void main();
