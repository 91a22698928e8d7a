/**
 * A token bucket per connection: `burst` messages at once, refilled at `perSecond`. Time comes from the
 * caller so the limiter follows the injected clock.
 */
export interface RateLimit {
  burst: number;
  perSecond: number;
}

export const DEFAULT_RATE_LIMIT: Readonly<RateLimit> = Object.freeze({ burst: 1000, perSecond: 200 });

export class RateLimiter {
  readonly #limit: RateLimit;
  #tokens: number;
  #updatedAt: number;

  constructor(limit: RateLimit, nowMs: number) {
    this.#limit = limit;
    this.#tokens = limit.burst;
    this.#updatedAt = nowMs;
  }

  /** Takes one token; false when the bucket is empty (the message must be refused). */
  take(nowMs: number): boolean {
    const elapsed = Math.max(0, nowMs - this.#updatedAt);
    this.#updatedAt = nowMs;
    this.#tokens = Math.min(this.#limit.burst, this.#tokens + (elapsed * this.#limit.perSecond) / 1000);
    if (this.#tokens < 1) {
      return false;
    }
    this.#tokens -= 1;
    return true;
  }
}
