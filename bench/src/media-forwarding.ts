/**
 * Routed media benchmark: one publisher, K = 1, 5, 20 subscribers. Vigil's werift forwarding unit
 * against a bare UDP relay of the same packets (same sizes, same rate), measured in the same run, each
 * in its own child process whose CPU is sampled over IPC. Then the time from `subscribe()` to the
 * first decoded frame with real VP8 (libwebrtc in Node). Run: `node bench/dist/src/media-forwarding.js`
 * after `npm run build` (add `--quick` for a short run).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { measureFirstFrame } from './media-first-frame.js';
import { CountingSubscriber, SyntheticPublisher, newRoutedSession, type ServerInfo } from './media-peers.js';

const quick = process.argv.includes('--quick');
const SUBSCRIBER_COUNTS = [1, 5, 20];
const FRAME_MS = 25; // 40 frames/s
const PACKETS_PER_FRAME = 10; // 400 packets/s in, ~3.3 Mbit/s: a 720p-ish camera
const PAYLOAD_BYTES = 1_000;
/** SRTP adds a 10-byte tag to the 12-byte RTP header; the relay's datagrams match the wire size. */
const WIRE_BYTES = PAYLOAD_BYTES + 12 + 10;
const SEND_MS = quick ? 2_000 : 5_000;

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill();
});

interface Row {
  system: string;
  subscribers: number;
  packetsIn: number;
  packetsOut: number;
  cpuUs: number;
}

function start(kind: 'vigil' | 'udp'): Promise<{ child: ChildProcess; ready: Record<string, unknown> }> {
  const child = fork(fileURLToPath(new URL('./media-server-proc.js', import.meta.url)), [kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} child did not start`)), 15_000);
    child.once('message', (ready: Record<string, unknown>) => {
      clearTimeout(timer);
      resolve({ child, ready });
    });
  });
}

function ask(child: ChildProcess, message: Record<string, unknown>, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} from child`)), 10_000);
    const onMessage = (reply: Record<string, unknown>): void => {
      if (reply['type'] === type) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(reply);
      }
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send({ type: 'stop' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `sendFrame` every FRAME_MS for `durationMs`. */
async function pace(durationMs: number, sendFrame: () => void): Promise<void> {
  const timer = setInterval(sendFrame, FRAME_MS);
  await sleep(durationMs);
  clearInterval(timer);
}

async function measureVigil(child: ChildProcess, server: ServerInfo, subscribers: number): Promise<Row> {
  const sessionId = newRoutedSession(server);
  const publisher = await SyntheticPublisher.start(server, sessionId);
  const receivers: CountingSubscriber[] = [];
  try {
    for (let i = 0; i < subscribers; i += 1) {
      receivers.push(await CountingSubscriber.start(server, sessionId, publisher.streamId, i));
    }
    // Warm up until every subscriber gets packets (each starts at a key frame).
    await pace(1_000, () => publisher.sendFrame(PACKETS_PER_FRAME, PAYLOAD_BYTES));
    if (receivers.some((r) => r.received === 0)) {
      throw new Error('a subscriber received nothing during the warm-up');
    }
    const sentBefore = publisher.sent;
    const receivedBefore = receivers.reduce((sum, r) => sum + r.received, 0);
    const cpuBefore = (await ask(child, { type: 'cpu' }, 'cpu'))['us'] as number;
    await pace(SEND_MS, () => publisher.sendFrame(PACKETS_PER_FRAME, PAYLOAD_BYTES));
    await sleep(300);
    const cpuAfter = (await ask(child, { type: 'cpu' }, 'cpu'))['us'] as number;
    const received = receivers.reduce((sum, r) => sum + r.received, 0) - receivedBefore;
    return { system: 'vigil (werift)', subscribers, packetsIn: publisher.sent - sentBefore, packetsOut: received, cpuUs: cpuAfter - cpuBefore };
  } finally {
    for (const receiver of receivers) await receiver.close();
    await publisher.close();
  }
}

async function measureUdp(child: ChildProcess, relayPort: number, subscribers: number): Promise<Row> {
  const sockets: Socket[] = [];
  let received = 0;
  for (let i = 0; i < subscribers; i += 1) {
    const socket = createSocket('udp4');
    socket.on('message', () => {
      received += 1;
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    sockets.push(socket);
  }
  const sender = createSocket('udp4');
  try {
    await ask(child, { type: 'receivers', ports: sockets.map((s) => s.address().port) }, 'receivers');
    const datagram = Buffer.alloc(WIRE_BYTES, 0x5a);
    let sent = 0;
    const sendFrame = (): void => {
      for (let i = 0; i < PACKETS_PER_FRAME; i += 1) {
        sender.send(datagram, relayPort, '127.0.0.1');
        sent += 1;
      }
    };
    await pace(500, sendFrame);
    const sentBefore = sent;
    const receivedBefore = received;
    const cpuBefore = (await ask(child, { type: 'cpu' }, 'cpu'))['us'] as number;
    await pace(SEND_MS, sendFrame);
    await sleep(300);
    const cpuAfter = (await ask(child, { type: 'cpu' }, 'cpu'))['us'] as number;
    return { system: 'bare UDP relay', subscribers, packetsIn: sent - sentBefore, packetsOut: received - receivedBefore, cpuUs: cpuAfter - cpuBefore };
  } finally {
    sender.close();
    for (const socket of sockets) socket.close();
  }
}

function format(rows: Row[]): string {
  const lines = ['| forwarder | K | packets in | packets out (delivered, NACK resends included) | CPU ms | µs / forwarded packet | forwarded packets/s per core |', '|---|---|---|---|---|---|---|'];
  for (const row of rows) {
    const perPacket = row.cpuUs / Math.max(1, row.packetsOut);
    lines.push(
      `| ${row.system} | ${row.subscribers} | ${row.packetsIn} | ${row.packetsOut} (${((100 * row.packetsOut) / Math.max(1, row.packetsIn * row.subscribers)).toFixed(1)} %) | ${(row.cpuUs / 1000).toFixed(0)} | ${perPacket.toFixed(2)} | ${Math.round(1e6 / perPacket)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const vigil = await start('vigil');
  const udp = await start('udp');
  const server = vigil.ready as unknown as ServerInfo;
  const relayPort = udp.ready['port'] as number;
  const rows: Row[] = [];
  try {
    for (const k of SUBSCRIBER_COUNTS) {
      rows.push(await measureVigil(vigil.child, server, k));
      rows.push(await measureUdp(udp.child, relayPort, k));
      process.stdout.write(`K=${k} done\n`);
    }
    const media = await ask(vigil.child, { type: 'cpu' }, 'cpu');
    console.log(`\nRouted forwarding, ${PACKETS_PER_FRAME * (1000 / FRAME_MS)} packets/s of ${PAYLOAD_BYTES}-byte VP8 payloads for ${SEND_MS / 1000} s per row\n`);
    console.log(format(rows));
    console.log('\n| K | CPU per forwarded packet, vigil ÷ bare UDP |\n|---|---|');
    for (const k of SUBSCRIBER_COUNTS) {
      const [v, u] = [rows.find((r) => r.subscribers === k && r.system.startsWith('vigil')), rows.find((r) => r.subscribers === k && r.system.startsWith('bare'))];
      if (v && u) {
        console.log(`| ${k} | ${(v.cpuUs / Math.max(1, v.packetsOut) / (u.cpuUs / Math.max(1, u.packetsOut))).toFixed(1)}× |`);
      }
    }
    console.log(`\nEngine after the runs: ${JSON.stringify(media['media'])}`);
    const firstFrames = await measureFirstFrame(server, quick ? 3 : 7);
    const sorted = [...firstFrames].sort((a, b) => a - b);
    console.log(`\nsubscribe() → first decoded frame (320x240 VP8, libwebrtc in Node, routed): ${sorted.map((ms) => ms.toFixed(0)).join(', ')} ms; median ${(sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(0)} ms`);
  } finally {
    await stop(vigil.child);
    await stop(udp.child);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
