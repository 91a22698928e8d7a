/**
 * Scale-out benchmark (issue 9): the signal fan-out of `run.ts` with the receivers split over two nodes
 * on one Redis (sender on node 1), against the same fan-out on one in-memory node, in the same run.
 * Prints added latency (p50/p99 per delivery), server CPU per delivery per node, and Redis work per
 * signal (from `INFO commandstats`). Goal: added p50/p99 ≤ 2 ms on loopback.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createSessionId } from '@vigil/protocol';
import { startRedis } from '@vigil/test-kit';
import { spawnChild as spawn, stopChild as stop, usageOf as usage } from './src/children.js';
import { nextMessage, type ClientToParent, type ReceiversSettings, type SendResult, type ServerToParent, type UsageSample } from './src/ipc.js';

const quick = process.argv.includes('--quick');
const flag = (name: string, fallback: number): number => {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 100_000) {
    throw new Error(`--${name} must be an integer 1..100000`);
  }
  return value;
};
const RECEIVERS = flag('receivers', quick ? 100 : 200);
const MESSAGES = flag('messages', quick ? 300 : 1_000);
const ROUNDS = flag('rounds', quick ? 1 : 2);
// One signal in flight by default: latency is then the path (node, Redis, other node), not a queue.
const WINDOW = flag('window', 1);
const GOAL_ADDED_MS = 2;

/** Commands Redis executed (those run inside scripts included), and script calls among them. */
async function redisCalls(redis: Redis): Promise<{ executed: number; scripts: number }> {
  const info = await redis.info('commandstats');
  let executed = 0;
  let scripts = 0;
  for (const match of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) {
    if (match[1] !== 'info') executed += Number(match[2]);
    if (match[1] === 'evalsha' || match[1] === 'eval') scripts += Number(match[2]);
  }
  return { executed, scripts };
}

interface Outcome {
  mode: string;
  result: SendResult;
  cpuUsPerDelivery: number[];
  redisPerSignal: number;
  scriptsPerSignal: number;
}

async function measure(mode: 'single' | 'two nodes', redisUrl: string, stats: Redis): Promise<Outcome> {
  const apiKey = '47000002';
  const apiSecret = randomBytes(24).toString('hex');
  const sessionId = createSessionId({ apiKey });
  const count = mode === 'single' ? 1 : 2;
  // A clean Redis per measurement: an earlier run's nodes (killed, leases still running) would be reaped
  // by these ones mid-measurement and count as their commands.
  await stats.flushall();
  const nodes = Array.from({ length: count }, () => spawn('cluster-node-proc.js', [JSON.stringify({ apiKey, apiSecret, sessionId, ...(mode === 'single' ? {} : { redisUrl }) })]));
  let client: ChildProcess | undefined;
  try {
    const urls = await Promise.all(nodes.map(async (node, i) => (await nextMessage<ServerToParent, 'ready'>(node, 'ready', 15_000, `node ${i + 1}`)).url));
    const settings: ReceiversSettings = { url: urls[0] as string, urls, receivers: RECEIVERS, messages: MESSAGES, window: WINDOW, dataBytes: 64, deadlineMs: 120_000 };
    client = spawn('receivers-proc.js', [JSON.stringify(settings)]);
    await nextMessage<ClientToParent, 'joined'>(client, 'joined', 100_000, 'receivers');
    const before = await Promise.all(nodes.map(usage));
    const callsBefore = await redisCalls(stats);
    const done = nextMessage<ClientToParent, 'done'>(client, 'done', 130_000, 'send phase');
    client.send({ kind: 'go' });
    const { result } = await done;
    const after = await Promise.all(nodes.map(usage));
    const callsAfter = await redisCalls(stats);
    // Deliveries per node: its receivers' copies, plus the sender's own copy on node 1.
    const perNode = nodes.map((_, i) => {
      const receivers = Array.from({ length: RECEIVERS }, (_, r) => r % count).filter((n) => n === i).length;
      return (receivers + (i === 0 ? 1 : 0)) * result.sent;
    });
    const cpu = nodes.map((_, i) => {
      const a = after[i] as UsageSample;
      const b = before[i] as UsageSample;
      return (a.userUs + a.systemUs - b.userUs - b.systemUs) / Math.max(1, perNode[i] as number);
    });
    const sent = Math.max(1, result.sent);
    return { mode, result, cpuUsPerDelivery: cpu, redisPerSignal: (callsAfter.executed - callsBefore.executed) / sent, scriptsPerSignal: (callsAfter.scripts - callsBefore.scripts) / sent };
  } finally {
    if (client) await stop(client);
    await Promise.all(nodes.map(stop));
  }
}

const redis = await startRedis();
const stats = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
try {
  await stats.connect();
  console.log(`scale-out fan-out: ${RECEIVERS} receivers + 1 sender, ${MESSAGES} signals × 64 B, window ${WINDOW}, ${ROUNDS} round(s); redis-server on loopback`);
  const outcomes: Outcome[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    // ABBA order, so drift on a shared machine hits both alike.
    const order: ('single' | 'two nodes')[] = round % 2 === 0 ? ['single', 'two nodes'] : ['two nodes', 'single'];
    for (const mode of order) {
      const outcome = await measure(mode, redis.url, stats);
      outcomes.push(outcome);
      const r = outcome.result;
      const bad = r.timedOut || r.outOfOrder > 0 || r.deliveries !== r.expected ? `  PROBLEM: delivered ${r.deliveries}/${r.expected}, out of order ${r.outOfOrder}, timed out ${r.timedOut}` : '';
      console.log(
        `round ${round + 1} ${mode.padEnd(9)} latency p50 ${r.latencyP50Ms.toFixed(2)} ms, p99 ${r.latencyP99Ms.toFixed(2)} ms; ` +
          `CPU/delivery ${outcome.cpuUsPerDelivery.map((c, i) => `node${i + 1} ${c.toFixed(1)} µs`).join(', ')}; Redis commands executed/signal ${outcome.redisPerSignal.toFixed(2)} (script calls ${outcome.scriptsPerSignal.toFixed(2)})${bad}`,
      );
    }
  }
  const med = (mode: string, pick: (o: Outcome) => number): number => {
    const values = outcomes.filter((o) => o.mode === mode).map(pick).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)] ?? NaN;
  };
  const addedP50 = med('two nodes', (o) => o.result.latencyP50Ms) - med('single', (o) => o.result.latencyP50Ms);
  const addedP99 = med('two nodes', (o) => o.result.latencyP99Ms) - med('single', (o) => o.result.latencyP99Ms);
  console.log(
    `two nodes vs one: added latency p50 ${addedP50.toFixed(2)} ms, p99 ${addedP99.toFixed(2)} ms (goal ≤ ${GOAL_ADDED_MS} ms: ${addedP50 <= GOAL_ADDED_MS && addedP99 <= GOAL_ADDED_MS ? 'met' : 'NOT met'}); ` +
      `CPU/delivery node1 ${(med('two nodes', (o) => o.cpuUsPerDelivery[0] ?? NaN) / med('single', (o) => o.cpuUsPerDelivery[0] ?? NaN)).toFixed(2)}× single; ` +
      `Redis per signal: ${med('two nodes', (o) => o.scriptsPerSignal).toFixed(2)} script call(s) (log + publish), ${med('two nodes', (o) => o.redisPerSignal).toFixed(2)} commands executed`,
  );
} finally {
  stats.disconnect();
  await redis.stop();
}
