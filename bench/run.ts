/**
 * `npm run bench`: signal fan-out, Vigil against a raw `ws` broadcast server measured in the same run
 * (scenario B1 of performance-anchors.md). Prints server CPU µs per delivery and deliveries/s as
 * ratios; absolute numbers vary ±15–30 % run to run on a shared VM, ratios much less.
 */
import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { USAGE, parseBenchArgs, type BenchConfig } from './src/args.js';
import { spawnChild as spawn, stopChild as stop, usageOf as sampleUsage } from './src/children.js';
import { nextMessage, type ClientToParent, type ReceiversSettings, type ServerToParent } from './src/ipc.js';
import { derive, median, problems, table, type Measurement } from './src/report.js';

const GOAL_CPU_RATIO = 1.3;
const SYSTEMS = [
  { name: 'raw ws', script: 'raw-ws-server-proc.js' },
  { name: 'vigil', script: 'vigil-server-proc.js' },
] as const;
type SystemName = (typeof SYSTEMS)[number]['name'];

async function measure(system: (typeof SYSTEMS)[number], round: number, config: BenchConfig): Promise<Measurement> {
  const server = spawn(system.script);
  let client: ChildProcess | undefined;
  try {
    const { url } = await nextMessage<ServerToParent, 'ready'>(server, 'ready', 10_000, `${system.name} server`);
    const idle = await sampleUsage(server);
    const settings: ReceiversSettings = { url, ...config };
    client = spawn('receivers-proc.js', [JSON.stringify(settings)]);
    const { joinMs } = await nextMessage<ClientToParent, 'joined'>(client, 'joined', 100_000, `${system.name} receivers`);
    const before = await sampleUsage(server);
    const done = nextMessage<ClientToParent, 'done'>(client, 'done', config.deadlineMs + 10_000, `${system.name} send phase`);
    client.send({ kind: 'go' });
    const { result } = await done;
    const after = await sampleUsage(server);
    return {
      system: system.name,
      round,
      joinMs,
      joinServerCpuUs: before.userUs + before.systemUs - idle.userUs - idle.systemUs,
      result,
      serverUserUs: after.userUs - before.userUs,
      serverSystemUs: after.systemUs - before.systemUs,
      serverRssBytes: after.rssBytes,
    };
  } finally {
    // Server first: killing the client first would make it process 1 000 departures.
    await stop(server);
    if (client) await stop(client);
  }
}

function ratio(measurements: readonly Measurement[], metric: (m: Measurement) => number): number {
  const of = (name: SystemName): number => median(measurements.filter((m) => m.system === name).map(metric));
  return of('vigil') / of('raw ws');
}

async function main(): Promise<number> {
  const config = parseBenchArgs(process.argv.slice(2), process.env);
  if (!config) {
    console.log(USAGE);
    return 0;
  }
  console.log(
    `Vigil bench, signal fan-out: 1 sender -> ${config.receivers} receivers (sender gets its own copy too), ` +
      `${config.messages} signals x ${config.dataBytes} B data, ${config.window} in flight, ${config.rounds} round(s); ` +
      `node ${process.version}, ${availableParallelism()} CPUs`,
  );
  const measurements: Measurement[] = [];
  for (let round = 0; round < config.rounds; round += 1) {
    // ABBA order: whichever system runs second in a round runs first in the next.
    const order = round % 2 === 0 ? SYSTEMS : [...SYSTEMS].reverse();
    for (const system of order) {
      process.stdout.write(`  round ${round + 1}: ${system.name} ... `);
      const m = await measure(system, round, config);
      measurements.push(m);
      const d = derive(m);
      console.log(`${d.cpuPerDeliveryUs.toFixed(2)} µs/delivery, ${Math.round(d.deliveriesPerSec)} deliveries/s`);
    }
  }
  console.log(`\n${table(measurements)}\n`);
  const bad = measurements.map((m) => [m, problems(m)] as const).filter(([, p]) => p !== '');
  for (const [m, p] of bad) console.log(`WARNING ${m.system} round ${m.round + 1}: ${p}`);

  const cpuRatio = ratio(measurements, (m) => derive(m).cpuPerDeliveryUs);
  const rateRatio = ratio(measurements, (m) => derive(m).deliveriesPerSec);
  const p99Ratio = ratio(measurements, (m) => m.result.latencyP99Ms);
  console.log(`vigil / raw ws (medians): CPU per delivery ${cpuRatio.toFixed(2)}x, deliveries/s ${rateRatio.toFixed(2)}x, p99 latency ${p99Ratio.toFixed(2)}x`);
  const verdict = bad.length > 0 ? 'INVALID (see warnings)' : cpuRatio <= GOAL_CPU_RATIO ? 'MET' : 'MISSED';
  console.log(
    `signal fan-out (${config.receivers} receivers): vigil ${cpuRatio.toFixed(2)}x raw ws CPU per delivery (goal <= ${GOAL_CPU_RATIO}x) ${verdict}; ` +
      `${rateRatio.toFixed(2)}x raw ws deliveries/s`,
  );
  // A missed goal is a finding, not a crash; an incomplete run is a broken bench.
  return bad.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
