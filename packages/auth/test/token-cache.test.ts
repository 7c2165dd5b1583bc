import { describe, expect, it } from 'vitest';
import { TokenError, TokenService } from '../src';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!';

/** A clock the test moves by hand, so expiry is a step, not a wait. */
function clock(start = Date.UTC(2026, 11, 3, 12)) {
  let at = start;
  return { now: () => at, advance: (ms: number) => (at += ms) };
}

describe('verified token cache', () => {
  it('answers a token seen before from the cache, with the same result', async () => {
    const tokens = new TokenService(SECRET);
    const { token } = await tokens.issueForSession('u1', 'session-1');
    const first = await tokens.verify(token);
    expect(tokens.cachedTokens).toBe(1);
    expect(await tokens.verify(token)).toEqual(first);
    expect(first).toMatchObject({ userId: 'u1', sessionId: 'session-1' });
    expect(tokens.cachedTokens).toBe(1);
  });

  it('never accepts a cached token once it has expired', async () => {
    const time = clock();
    const tokens = new TokenService(SECRET, 60, { now: time.now });
    const { token, expiresAt } = await tokens.issue('u1');
    expect((await tokens.verify(token)).expiresAt).toEqual(expiresAt);
    time.advance(59_000);
    expect((await tokens.verify(token)).userId).toBe('u1');
    time.advance(1_000);
    await expect(tokens.verify(token)).rejects.toEqual(new TokenError('expired'));
    // Dropped, and still refused by the full check on the next call.
    expect(tokens.cachedTokens).toBe(0);
    await expect(tokens.verify(token)).rejects.toEqual(new TokenError('expired'));
  });

  it('keeps the kind check: a cached session token is not an access token', async () => {
    const tokens = new TokenService(SECRET);
    const session = await tokens.issue('u1', 'session');
    expect((await tokens.verify(session.token, 'session')).userId).toBe('u1');
    await expect(tokens.verify(session.token, 'access')).rejects.toEqual(new TokenError('invalid'));
  });

  it('never caches a refused token', async () => {
    const tokens = new TokenService(SECRET);
    const forged = await new TokenService('another-secret-another-secret-another!').issue('u');
    await expect(tokens.verify(forged.token)).rejects.toEqual(new TokenError('invalid'));
    await expect(tokens.verify(forged.token)).rejects.toEqual(new TokenError('invalid'));
    expect(tokens.cachedTokens).toBe(0);
  });

  it('is bounded: the least recently used token goes first', async () => {
    const tokens = new TokenService(SECRET, 900, { cacheSize: 2 });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((u) => tokens.issue(u)));
    if (!a || !b || !c) throw new Error('issue failed');
    await tokens.verify(a.token);
    await tokens.verify(b.token);
    await tokens.verify(a.token); // a is now the most recent
    await tokens.verify(c.token); // evicts b
    expect(tokens.cachedTokens).toBe(2);
    // Every token still verifies (b through the full check again); none is refused wrongly.
    for (const t of [a, b, c])
      expect((await tokens.verify(t.token)).expiresAt).toEqual(t.expiresAt);
    expect(tokens.cachedTokens).toBe(2);
  });
});
