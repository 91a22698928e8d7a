/**
 * Fixed-bucket latency histogram (no per-sample arrays: 2 M deliveries would cost the client more
 * than the measurement is worth). 0.1 ms buckets up to 100 ms, then 1 ms buckets up to 10 s.
 */
const FINE_MS = 100;
const FINE_STEP_MS = 0.1;
const COARSE_LIMIT_MS = 10_000;
const FINE_BUCKETS = FINE_MS / FINE_STEP_MS;
const BUCKETS = FINE_BUCKETS + (COARSE_LIMIT_MS - FINE_MS) + 1;

export class Histogram {
  readonly #counts = new Uint32Array(BUCKETS);
  #total = 0;

  record(ms: number): void {
    const bucket = ms < FINE_MS ? Math.max(0, Math.floor(ms / FINE_STEP_MS)) : Math.min(BUCKETS - 1, FINE_BUCKETS + Math.floor(ms - FINE_MS));
    this.#counts[bucket] = (this.#counts[bucket] ?? 0) + 1;
    this.#total += 1;
  }

  /** Upper edge of the bucket holding the q-quantile, ms; NaN when empty. */
  quantile(q: number): number {
    if (this.#total === 0) {
      return Number.NaN;
    }
    const rank = Math.ceil(q * this.#total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i += 1) {
      seen += this.#counts[i] ?? 0;
      if (seen >= rank) {
        return i < FINE_BUCKETS ? (i + 1) * FINE_STEP_MS : FINE_MS + (i - FINE_BUCKETS) + 1;
      }
    }
    return COARSE_LIMIT_MS;
  }
}
