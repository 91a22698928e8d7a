import type { SendResult } from './ipc.js';

/** One system in one round: the receivers' view plus the server's CPU over the send phase. */
export interface Measurement {
  system: string;
  round: number;
  joinMs: number;
  /** Server CPU from listening to "all joined and quiet": not in the per-delivery figure. */
  joinServerCpuUs: number;
  result: SendResult;
  serverUserUs: number;
  serverSystemUs: number;
  serverRssBytes: number;
}

export interface Derived {
  cpuPerDeliveryUs: number;
  userPerDeliveryUs: number;
  systemPerDeliveryUs: number;
  deliveriesPerSec: number;
  serverCpuPct: number;
  clientCpuPct: number;
}

export function derive(m: Measurement): Derived {
  const d = Math.max(1, m.result.deliveries);
  const wallUs = Math.max(1, m.result.wallMs * 1000);
  return {
    cpuPerDeliveryUs: (m.serverUserUs + m.serverSystemUs) / d,
    userPerDeliveryUs: m.serverUserUs / d,
    systemPerDeliveryUs: m.serverSystemUs / d,
    deliveriesPerSec: m.result.deliveries / (wallUs / 1e6),
    serverCpuPct: ((m.serverUserUs + m.serverSystemUs) / wallUs) * 100,
    clientCpuPct: ((m.result.clientUserUs + m.result.clientSystemUs) / wallUs) * 100,
  };
}

/** Why a measurement cannot be trusted, or '' when every signal reached every member in order. */
export function problems(m: Measurement): string {
  const r = m.result;
  const list: string[] = [];
  if (r.timedOut) list.push('deadline reached');
  if (r.deliveries !== r.expected || r.sent === 0) list.push(`${r.expected - r.deliveries} of ${r.expected} deliveries missing`);
  if (r.outOfOrder > 0) list.push(`${r.outOfOrder} out of order`);
  if (r.closed > 0) list.push(`${r.closed} sockets closed`);
  // Vigil acks every signal before delivering it; a missing ack means a refused or lost request.
  if (m.system === 'vigil' && r.acks !== r.sent) list.push(`${r.acks} acks for ${r.sent} signals`);
  if (r.errors > 0) list.push(`${r.errors} errors (first: ${r.firstError})`);
  return list.join('; ');
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

const COLUMNS = ['system', 'round', 'join s', 'join CPU s', 'deliveries', 'wall s', 'deliv/s', 'srv µs/deliv', '(usr+sys)', 'srv CPU', 'cli CPU', 'p50 ms', 'p99 ms', 'last p99', 'srv RSS'];

export function table(measurements: readonly Measurement[]): string {
  const rows = measurements.map((m) => {
    const d = derive(m);
    const r = m.result;
    return [
      m.system,
      String(m.round + 1),
      (m.joinMs / 1000).toFixed(1),
      (m.joinServerCpuUs / 1e6).toFixed(1),
      String(r.deliveries),
      (r.wallMs / 1000).toFixed(2),
      Math.round(d.deliveriesPerSec).toLocaleString('en-US'),
      d.cpuPerDeliveryUs.toFixed(2),
      `(${d.userPerDeliveryUs.toFixed(2)}+${d.systemPerDeliveryUs.toFixed(2)})`,
      `${d.serverCpuPct.toFixed(0)} %`,
      `${d.clientCpuPct.toFixed(0)} %`,
      r.latencyP50Ms.toFixed(1),
      r.latencyP99Ms.toFixed(1),
      r.lastP99Ms.toFixed(1),
      `${(m.serverRssBytes / 2 ** 20).toFixed(0)} MB`,
    ];
  });
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(COLUMNS), ...rows.map(line)].join('\n');
}
