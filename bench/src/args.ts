import { parseArgs } from 'node:util';

/** What one `npm run bench` does; every field has a flag and an environment variable. */
export interface BenchConfig {
  /** Receiving sockets in the session, besides the sender. */
  receivers: number;
  /** Signals sent per system per round. */
  messages: number;
  /** Signals in flight: sent but not yet delivered to every member (closed loop, as in the anchors). */
  window: number;
  /** Bytes of `data` in each signal (OpenTok allows up to 8 KB). */
  dataBytes: number;
  /** Rounds; systems alternate order (ABBA) so drift on a shared VM hits both equally. */
  rounds: number;
  /** Hard stop for one send phase. */
  deadlineMs: number;
}

const DEFAULTS: BenchConfig = { receivers: 1000, messages: 1000, window: 8, dataBytes: 64, rounds: 2, deadlineMs: 60_000 };
// Enough signals to get past JIT warm-up, small enough to finish in a few seconds.
const QUICK: BenchConfig = { receivers: 100, messages: 500, window: 8, dataBytes: 64, rounds: 1, deadlineMs: 20_000 };

export const USAGE = `usage: node bench/dist/run.js [--quick] [--receivers N] [--messages M] [--window W]
                              [--bytes B] [--rounds R] [--deadline SECONDS]
env: VIGIL_BENCH_RECEIVERS, VIGIL_BENCH_MESSAGES, VIGIL_BENCH_WINDOW, VIGIL_BENCH_BYTES,
     VIGIL_BENCH_ROUNDS, VIGIL_BENCH_DEADLINE (flags win over env)`;

/** Limits keep every run bounded: sockets under the fd limit, data under the signal limit. */
const LIMITS: Record<keyof BenchConfig, [min: number, max: number]> = {
  receivers: [1, 10_000],
  messages: [1, 1_000_000],
  window: [1, 1_000],
  dataBytes: [24, 8_000],
  rounds: [1, 10],
  deadlineMs: [1_000, 600_000],
};

const FLAGS = {
  receivers: { key: 'receivers', env: 'VIGIL_BENCH_RECEIVERS', scale: 1 },
  messages: { key: 'messages', env: 'VIGIL_BENCH_MESSAGES', scale: 1 },
  window: { key: 'window', env: 'VIGIL_BENCH_WINDOW', scale: 1 },
  bytes: { key: 'dataBytes', env: 'VIGIL_BENCH_BYTES', scale: 1 },
  rounds: { key: 'rounds', env: 'VIGIL_BENCH_ROUNDS', scale: 1 },
  deadline: { key: 'deadlineMs', env: 'VIGIL_BENCH_DEADLINE', scale: 1000 },
} as const satisfies Record<string, { key: keyof BenchConfig; env: string; scale: number }>;

/** Parses flags and environment; throws a `TypeError` naming the bad option. Returns undefined for --help. */
export function parseBenchArgs(argv: readonly string[], env: NodeJS.ProcessEnv): BenchConfig | undefined {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      receivers: { type: 'string' },
      messages: { type: 'string' },
      window: { type: 'string' },
      bytes: { type: 'string' },
      rounds: { type: 'string' },
      deadline: { type: 'string' },
    },
  });
  if (values.help) {
    return undefined;
  }
  const config: BenchConfig = { ...(values.quick || env['VIGIL_BENCH_QUICK'] === '1' ? QUICK : DEFAULTS) };
  for (const [flag, { key, env: envName, scale }] of Object.entries(FLAGS)) {
    const text = values[flag as keyof typeof FLAGS] ?? env[envName];
    if (text === undefined || text === '') {
      continue;
    }
    const value = Number(text) * scale;
    const [min, max] = LIMITS[key];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new TypeError(`--${flag} must be an integer in [${min / scale}, ${max / scale}] (got ${text})`);
    }
    config[key] = value;
  }
  return config;
}
