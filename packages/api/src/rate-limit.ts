/**
 * Token buckets keyed by user: `ratePerSecond` sustained, up to `burst` at once. Per process;
 * a user's traffic normally lands on one ws node plus web, so the limit holds within a small
 * factor without a shared store.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {
    // Full buckets carry no information; forget them so memory follows active users only.
    this.sweep = setInterval(() => {
      const now = Date.now();
      for (const [key, bucket] of this.buckets) {
        if (bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond >= this.burst)
          this.buckets.delete(key);
      }
    }, 60_000);
    this.sweep.unref();
  }

  /** Takes one token; returns how many ms to wait when there is none. */
  take(key: string): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = Date.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond,
    );
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return {
      ok: false,
      retryAfterMs: Math.ceil(((1 - bucket.tokens) / this.ratePerSecond) * 1000),
    };
  }

  close() {
    clearInterval(this.sweep);
  }
}
