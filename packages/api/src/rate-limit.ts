export type Take = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * The one token bucket: `ratePerSecond` sustained, up to `burst` at once. In memory and
 * synchronous, for limits one process holds alone (a socket's frames, a user's queries);
 * limits every process shares go through ./throttle instead.
 */
export class TokenBucket {
  private tokens: number;
  private at = Date.now();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  private refill(now: number) {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.ratePerSecond);
    this.at = now;
  }

  /** Takes `cost` tokens if there are that many; otherwise says how long until there are. */
  take(cost = 1, now = Date.now()): Take {
    this.refill(now);
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return { ok: true };
    }
    return {
      ok: false,
      retryAfterMs: Math.ceil(((cost - this.tokens) / this.ratePerSecond) * 1000),
    };
  }

  /** Full again: it carries no information and may be forgotten. */
  isFull(now = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }
}

/**
 * Token buckets keyed by user. Per process; a user's traffic normally lands on one ws node
 * plus web, so the limit holds within a small factor without a shared store.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {
    // Full buckets carry no information; forget them so memory follows active users only.
    this.sweep = setInterval(() => {
      const now = Date.now();
      for (const [key, bucket] of this.buckets) if (bucket.isFull(now)) this.buckets.delete(key);
    }, 60_000);
    this.sweep.unref();
  }

  /** Takes one token; returns how many ms to wait when there is none. */
  take(key: string): Take {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.ratePerSecond, this.burst);
      this.buckets.set(key, bucket);
    }
    return bucket.take();
  }

  close() {
    clearInterval(this.sweep);
  }
}
