/**
 * Tokens whose signature and claims already checked out, so a reconnect (or a burst of them)
 * skips the HMAC and JSON work. Bounded, least recently used first out. An entry never
 * outlives its token's `exp`: a hit past it is dropped and reported as expired. It holds
 * nothing about revocation: callers still ask whether the token's session lives.
 */
export class VerifiedTokenCache<Kind extends string, Verified extends { expiresAt: Date }> {
  private readonly entries = new Map<string, { kind: Kind; verified: Verified }>();

  constructor(
    private readonly max: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size() {
    return this.entries.size;
  }

  /** The cached result for this token and kind; 'expired' once its time is up; else undefined. */
  get(token: string, kind: Kind): Verified | 'expired' | undefined {
    const hit = this.entries.get(token);
    if (!hit || hit.kind !== kind) return undefined;
    this.entries.delete(token);
    if (hit.verified.expiresAt.getTime() <= this.now()) return 'expired';
    this.entries.set(token, hit);
    return hit.verified;
  }

  set(token: string, kind: Kind, verified: Verified) {
    if (this.max <= 0) return;
    this.entries.delete(token);
    while (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(token, { kind, verified });
  }
}
