/** How 429 and 5xx answers are retried. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The first pause; each later one doubles, with jitter. */
  baseDelayMs: number;
  /** Pauses never exceed this; a Retry-After beyond it ends the retries instead. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 };

/**
 * The pause before try `attempt + 1` (attempt counts from 1), or `undefined` to give up. A
 * provider's Retry-After is honoured as given; otherwise exponential with "equal jitter" (half fixed,
 * half random) so a burst of failures does not come back in lockstep.
 */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number, random: () => number = Math.random): number | undefined {
  if (attempt >= policy.attempts) {
    return undefined;
  }
  if (retryAfterMs !== undefined) {
    return retryAfterMs <= policy.maxDelayMs ? retryAfterMs : undefined;
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Reads `Retry-After` (seconds, or an HTTP date) as milliseconds from `nowMs`. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') {
    return undefined;
  }
  if (/^\d+$/.test(text.trim())) {
    return Number(text.trim()) * 1000;
  }
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Waits `ms`, or less if `signal` aborts. Never keeps the process alive on its own. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}
