import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '@vigil/client';
import { createSessionId } from '@vigil/protocol';
import { TcpBalancer, waitUntil, type ClusterNode } from '@vigil/test-kit';
import { deploy } from './cluster-harness.js';

/**
 * A node drained (SIGTERM) with 1 000 clients in 100 sessions of 10: they join again on the other node
 * through the balancer, spread over the drain window, and the other node never accepts faster than its
 * `--max-join-rate`. (Small sessions, as a node usually serves: in one 1 000-member session every join
 * is announced to everyone, and the test would measure that O(n²) presence traffic instead.)
 */
const CLIENTS = 1_000;
const PER_SESSION = 10;
const RATE = 100; // the receiving node's join rate (burst and per second): below the wave's ~250/s, so it is exercised
const SPREAD_MS = 4_000;

test(`${CLIENTS} clients of a drained node rejoin on another node within the window, never above its join rate`, async (t) => {
  const d = await deploy(t, 2, (i) => (i === 0 ? ['--drain-spread-ms', String(SPREAD_MS)] : ['--max-join-rate', String(RATE)]));
  const [one, two] = d.nodes as [ClusterNode, ClusterNode];
  const balancer = await TcpBalancer.start([one.url, two.url]);
  t.after(() => balancer.close());
  balancer.use([one.url]);

  const observer = await d.join(two.url, 'observer');
  const clients: Session[] = [];
  const sessionIds = Array.from({ length: CLIENTS / PER_SESSION }, (_, i) => (i === 0 ? d.sessionId : createSessionId({ apiKey: d.apiKey, mediaMode: 'relayed' })));
  // Joined in batches of 50, so this setup itself stays far from any limit.
  for (let i = 0; i < CLIENTS; i += 50) {
    const batch = Array.from({ length: Math.min(50, CLIENTS - i) }, (_, j) => {
      const sessionId = sessionIds[Math.floor((i + j) / PER_SESSION)] as string;
      const session = d.session(balancer.url, sessionId);
      clients.push(session);
      return session.connect(d.token(`c${i + j}`, sessionId));
    });
    await Promise.all(batch);
  }
  // The observer is in the first session, on the node that stays.
  await waitUntil(() => observer.connections.length === PER_SESSION + 1, 'the observer sees its session', 30_000);

  const rejoinedAt: number[] = [];
  let ended = 0;
  for (const client of clients) {
    // When node two accepted it (the new connection's creationTime): the rate is the server's, and this
    // process's own clock would bunch arrivals whenever its event loop lags under load.
    client.on('sessionReconnected', ({ rejoined }) => rejoined && rejoinedAt.push(client.connection?.creationTime ?? Number.NaN));
    client.on('sessionDisconnected', () => (ended += 1));
  }
  const departures: string[] = [];
  observer.on('connectionDestroyed', ({ reason }) => departures.push(reason));

  balancer.use([two.url]);
  const drainedAt = Date.now();
  assert.equal(await one.stop(), 0, 'the drained node exits cleanly');
  await waitUntil(() => rejoinedAt.length + ended >= CLIENTS, 'every client is back (or has given up)', 60_000).catch((err: Error) => {
    const states = new Map<string, number>();
    for (const c of clients) states.set(c.state, (states.get(c.state) ?? 0) + 1);
    throw new Error(`${err.message}: ${rejoinedAt.length} rejoined, ${ended} ended, states ${JSON.stringify([...states])}; node two: ${two.log().split('\n').filter((l) => /WARN|ERROR|refused/.test(l)).slice(-8).join('\n')}`);
  });
  assert.equal(ended, 0, 'no client ended its session');
  assert.equal(rejoinedAt.length, CLIENTS);
  assert.ok(rejoinedAt.every(Number.isFinite), 'each rejoined client has its new connection');

  const sorted = [...rejoinedAt].sort((a, b) => a - b);
  const lastMs = (sorted.at(-1) ?? drainedAt) - drainedAt;
  // The hint is 1 s plus a random share of the spread; at RATE per second the joins need CLIENTS/RATE s.
  assert.ok(lastMs < 1_000 + SPREAD_MS + (CLIENTS / RATE) * 1_000 + 10_000, `all back within the window (${lastMs} ms)`);
  let busiest = 0;
  for (let i = 0, j = 0; j < sorted.length; j += 1) {
    while ((sorted[j] as number) - (sorted[i] as number) >= 1_000) i += 1;
    busiest = Math.max(busiest, j - i + 1);
  }
  // A token bucket admits at most burst + rate × 1 s in any second; a connection is created a moment
  // after its join is admitted (one Redis round trip), hence the 10 % margin.
  assert.ok(busiest <= (RATE + RATE) * 1.1, `at most ${RATE * 2} joins in any second (saw ${busiest})`);
  const firstMs = (sorted[0] ?? drainedAt) - drainedAt;
  assert.ok(firstMs >= 900, `nobody came back before the hint (${firstMs} ms)`);

  await waitUntil(() => observer.connections.length === PER_SESSION + 1, 'the observer sees its session again', 30_000);
  assert.equal(departures.length, PER_SESSION, 'one departure per drained connection');
  assert.ok(departures.every((reason) => reason === 'serverShutdown'));
  const metrics = await (await fetch(`${two.url}/metrics`)).text();
  const refused = Number(/vigil_joins_refused_busy_total (\d+)/.exec(metrics)?.[1] ?? '0');
  assert.ok(refused > 0, 'the wave was faster than the rate, so some joins were turned away and retried');
  t.diagnostic(`rejoined in ${firstMs}-${lastMs} ms after SIGTERM; busiest second ${busiest} joins; ${refused} refused as SERVER_BUSY`);
});
