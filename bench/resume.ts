/**
 * Resume benchmark (issue 5): how fast a dropped client is back, and how fast peers learn that a client
 * went silent. A real server, real SDK sessions (over `ws`), and the test kit's fault proxy on loopback.
 *
 * - resume: the client's link is cut while the transport stays available; time from the cut to
 *   `sessionReconnected` (same connection). Also from a refused period's end to `sessionReconnected`,
 *   which includes the backoff the SDK was waiting out.
 * - detect: the client's link is black-holed; time until a peer sees `connectionStateChanged
 *   { reconnecting }`, against the goal of heartbeatTimeoutMs + 1 s.
 */
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { initSession, type Session } from '@vigil/client';
import { createSessionId, randomId } from '@vigil/protocol';
import { createServer, mintClientToken, silentLogger } from '@vigil/server';
import { FaultProxy } from '@vigil/test-kit';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const quick = process.argv.includes('--quick');
const cycles = Number(args.get('cycles') ?? (quick ? 50 : 200));
const detectCycles = Number(args.get('detect-cycles') ?? (quick ? 3 : 8));
const timers = { heartbeatIntervalMs: 500, heartbeatTimeoutMs: 1_500, networkGraceMs: 30_000, suspendGraceMs: 30_000 };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function once<T>(session: Session, event: 'sessionReconnected' | 'sessionReconnecting', timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${event} not within ${timeoutMs} ms`)), timeoutMs);
    session.once(event, (payload) => {
      clearTimeout(timer);
      resolve(payload as T);
    });
  });
}

const apiKey = '47000999';
const apiSecret = randomId(40);
const server = await createServer({ apiKey, apiSecret, logger: silentLogger, timers });
const proxy = await FaultProxy.start(server.url);
const sessionId = createSessionId({ apiKey });
const token = (): string => mintClientToken({ apiKey, apiSecret, sessionId });
const mobile = initSession(apiKey, sessionId, { url: proxy.url, WebSocket, reconnect: { baseDelayMs: 100, maxDelayMs: 1_000 } });
const peer = initSession(apiKey, sessionId, { url: server.url, WebSocket });
try {
  await mobile.connect(token());
  await peer.connect(token());
  const id = mobile.connection?.connectionId;

  const immediate: number[] = [];
  for (let i = 0; i < cycles; i += 1) {
    const back = once<{ rejoined: boolean }>(mobile, 'sessionReconnected');
    const t0 = performance.now();
    proxy.cut('pass');
    const result = await back;
    immediate.push(performance.now() - t0);
    if (result.rejoined || mobile.connection?.connectionId !== id) {
      throw new Error('a resume turned into a rejoin');
    }
  }

  const afterOutage: number[] = [];
  for (let i = 0; i < Math.min(cycles, 50); i += 1) {
    const away = once(mobile, 'sessionReconnecting');
    proxy.cut('refuse');
    await away;
    await new Promise((r) => setTimeout(r, 300));
    const back = once(mobile, 'sessionReconnected');
    const t0 = performance.now();
    proxy.setMode('pass');
    await back;
    afterOutage.push(performance.now() - t0);
  }

  const detect: number[] = [];
  for (let i = 0; i < detectCycles; i += 1) {
    const seen = new Promise<number>((resolve) => {
      const listener = ({ state }: { state: string }): void => {
        if (state === 'reconnecting') {
          peer.off('connectionStateChanged', listener);
          resolve(performance.now());
        }
      };
      peer.on('connectionStateChanged', listener);
    });
    const back = once(mobile, 'sessionReconnected', 30_000);
    const t0 = performance.now();
    proxy.setMode('blackhole');
    detect.push((await seen) - t0);
    proxy.cut('pass');
    await back;
  }

  const fmt = (v: number): string => v.toFixed(1).padStart(8);
  console.log(`\nresume (${cycles} cycles, loopback, same connection every time)`);
  console.log(`  transport restored -> sessionReconnected      p50 ${fmt(percentile(immediate, 50))} ms   p99 ${fmt(percentile(immediate, 99))} ms   (goal p99 < 1000 ms) ${percentile(immediate, 99) < 1000 ? 'MET' : 'MISSED'}`);
  console.log(`  after a 300 ms outage (includes backoff)     p50 ${fmt(percentile(afterOutage, 50))} ms   p99 ${fmt(percentile(afterOutage, 99))} ms   (backoff ceiling 1000 ms)`);
  const goal = timers.heartbeatTimeoutMs + 1_000;
  console.log(`silent client seen as reconnecting by peers (${detectCycles} cycles, heartbeatTimeoutMs ${timers.heartbeatTimeoutMs})`);
  console.log(`  p50 ${fmt(percentile(detect, 50))} ms   max ${fmt(Math.max(...detect))} ms   (goal <= ${goal} ms) ${Math.max(...detect) <= goal ? 'MET' : 'MISSED'}`);
} finally {
  mobile.disconnect();
  peer.disconnect();
  await proxy.close();
  await server.close();
}
