/**
 * Child process: N receivers + 1 sender as raw `ws` sockets (the SDK would cost client CPU that the
 * server competes for on 2 cores). Joins all, waits for the join traffic to settle, reports `joined`,
 * then on `go` runs a closed loop of signals with at most `window` not yet delivered to everyone.
 * Sender and receivers share one clock, so latency needs no clock sync.
 */
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { Histogram } from './histogram.js';
import { toParent, type ParentToClient, type ReceiversSettings, type SendResult } from './ipc.js';
import { benchSignal, frameType, isSignal, readBenchData } from './wire.js';

const CONNECT_CONCURRENCY = 50;
const CONNECT_TIMEOUT_MS = 15_000;
const JOIN_DEADLINE_MS = 60_000;
const QUIET_MS = 300;
const QUIET_CAP_MS = 30_000;
const PING_EVERY_MS = 2_000;
const PING_TICK_MS = 20;

const settings = JSON.parse(process.argv[2] ?? '{}') as ReceiversSettings;
const total = settings.receivers + 1;
const senderIndex = total - 1; // joins last, so both servers deliver its own copy last
const sockets: WebSocket[] = [];
const lastSeq = new Int32Array(total);
/** Frames each socket processed after its welcome: confirmed in pings so Vigil can free its replay buffer. */
const frames = new Float64Array(total);
const arrivals = new Uint32Array(settings.messages + 1);
const sentAt = new Float64Array(settings.messages + 1);
const latency = new Histogram();
const lastLatency = new Histogram();
const padding = 'x'.repeat(settings.dataBytes);
const welcomed = new Map<number, () => void>();

let phase: 'join' | 'send' | 'done' = 'join';
let lastJoinTrafficAt = performance.now();
let sent = 0;
let completed = 0;
let deliveries = 0;
let outOfOrder = 0;
let acks = 0;
let errors = 0;
let firstError = '';
let closed = 0;
let sendStartedAt = 0;
let lastDeliveryAt = 0;
let cpuAtStart = process.cpuUsage();
let deadline: NodeJS.Timeout | undefined;

function onFrame(index: number, data: Buffer): void {
  frames[index] = (frames[index] as number) + 1;
  if (isSignal(data)) {
    onSignal(index, data);
    return;
  }
  const type = frameType(data);
  if (type === 'welcome') {
    frames[index] = 0; // frame numbering starts after the welcome
    welcomed.get(index)?.();
  } else if (type === 'ack') {
    acks += 1;
  } else if (type === 'error') {
    errors += 1;
    firstError ||= data.toString('utf8', 0, Math.min(data.length, 300));
  } else if (type !== 'pong') {
    lastJoinTrafficAt = performance.now(); // presence (connectionCreated etc.)
  }
}

function onSignal(index: number, data: Buffer): void {
  const parsed = readBenchData(data);
  if (!parsed || phase !== 'send' || parsed.seq > settings.messages) {
    return;
  }
  const now = performance.now();
  deliveries += 1;
  lastDeliveryAt = now;
  latency.record(now - parsed.sentAtUs / 1000);
  if (parsed.seq !== (lastSeq[index] ?? 0) + 1) {
    outOfOrder += 1;
  }
  lastSeq[index] = parsed.seq;
  const count = (arrivals[parsed.seq] ?? 0) + 1;
  arrivals[parsed.seq] = count;
  if (count === total) {
    completed += 1;
    lastLatency.record(now - (sentAt[parsed.seq] ?? now));
    if (completed === settings.messages) {
      finish(false);
    } else {
      pump();
    }
  }
}

function pump(): void {
  const sender = sockets[senderIndex];
  while (sender && phase === 'send' && sent < settings.messages && sent - completed < settings.window) {
    sent += 1;
    const now = performance.now();
    sentAt[sent] = now;
    sender.send(benchSignal(sent, Math.round(now * 1000), settings.dataBytes, padding));
  }
}

function finish(timedOut: boolean): void {
  if (phase !== 'send') {
    return;
  }
  phase = 'done';
  clearTimeout(deadline);
  const cpu = process.cpuUsage(cpuAtStart);
  const result: SendResult = {
    sent,
    deliveries,
    expected: sent * total,
    wallMs: (deliveries > 0 ? lastDeliveryAt : performance.now()) - sendStartedAt,
    latencyP50Ms: latency.quantile(0.5),
    latencyP99Ms: latency.quantile(0.99),
    lastP50Ms: lastLatency.quantile(0.5),
    lastP99Ms: lastLatency.quantile(0.99),
    outOfOrder,
    acks,
    errors,
    firstError,
    closed,
    timedOut,
    clientUserUs: cpu.user,
    clientSystemUs: cpu.system,
  };
  // Stay connected: the parent samples server CPU before it kills us, so teardown is not measured.
  toParent({ kind: 'done', result });
}

function open(index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const url = settings.urls ? (settings.urls[index === senderIndex ? 0 : index % settings.urls.length] as string) : settings.url;
    const socket = new WebSocket(url, { perMessageDeflate: false });
    sockets[index] = socket;
    const timer = setTimeout(() => fail(`socket ${index}: no welcome within ${CONNECT_TIMEOUT_MS} ms`), CONNECT_TIMEOUT_MS);
    const fail = (why: string): void => {
      clearTimeout(timer);
      welcomed.delete(index);
      reject(new Error(why));
    };
    welcomed.set(index, () => {
      clearTimeout(timer);
      welcomed.delete(index);
      resolve();
    });
    socket.on('message', (data: Buffer) => onFrame(index, data));
    socket.on('unexpected-response', (_req, res) => fail(`socket ${index}: HTTP ${String(res.statusCode)} on upgrade`));
    socket.on('error', (err) => fail(`socket ${index}: ${err.message}`));
    socket.on('close', (code, reason) => {
      if (phase === 'send') {
        closed += 1;
        firstError ||= `socket ${index} closed: ${code} ${reason.toString()}`;
        finish(false);
      }
      fail(`socket ${index} closed before welcome: ${code}`);
    });
  });
}

/** Pings a slice of sockets every tick so each one pings every 2 s, spread out rather than in bursts. */
function startHeartbeats(): NodeJS.Timeout {
  const perTick = Math.ceil((total * PING_TICK_MS) / PING_EVERY_MS);
  let next = 0;
  return setInterval(() => {
    for (let i = 0; i < perTick; i += 1) {
      const socket = sockets[next];
      if (socket?.readyState === WebSocket.OPEN) {
        socket.send(`{"type":"ping","rx":${frames[next] as number}}`);
      }
      next = (next + 1) % total;
    }
  }, PING_TICK_MS);
}

async function joinAll(): Promise<number> {
  const startedAt = performance.now();
  let nextIndex = 0;
  const worker = async (): Promise<void> => {
    while (nextIndex < senderIndex) {
      await open(nextIndex++);
    }
  };
  const joinDeadline = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`join not done in ${JOIN_DEADLINE_MS} ms`)), JOIN_DEADLINE_MS).unref(),
  );
  await Promise.race([Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker)), joinDeadline]);
  await Promise.race([open(senderIndex), joinDeadline]);
  const joinMs = performance.now() - startedAt;
  // Vigil tells every member about every join (O(N²) frames); let that drain so it is not measured.
  const quietUntil = performance.now() + QUIET_CAP_MS;
  while (performance.now() - lastJoinTrafficAt < QUIET_MS && performance.now() < quietUntil) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return joinMs;
}

process.on('disconnect', () => process.exit(0));
process.on('message', (message: ParentToClient) => {
  if (message.kind === 'go' && phase === 'join') {
    phase = 'send';
    cpuAtStart = process.cpuUsage();
    sendStartedAt = performance.now();
    deadline = setTimeout(() => finish(true), settings.deadlineMs);
    pump();
  }
});
startHeartbeats();
joinAll().then(
  (joinMs) => toParent({ kind: 'joined', joinMs }),
  (err: unknown) => toParent({ kind: 'failed', error: err instanceof Error ? err.message : String(err) }),
);
