import { webcrypto } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { VerifiedTokenCache } from './verified-cache';

export type TokenKind = 'access' | 'session';

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export interface VerifiedToken {
  userId: string;
  expiresAt: Date;
  /** The server-side session the token was minted from (`sid`), when there is one. */
  sessionId?: string;
}

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const SESSION_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Verified tokens remembered per process: one per connected user, and then some. */
export const VERIFIED_TOKEN_CACHE_SIZE = 50_000;

export type TokenErrorReason = 'expired' | 'invalid';

export class TokenError extends Error {
  constructor(readonly reason: TokenErrorReason) {
    super(reason === 'expired' ? 'Token expired' : 'Invalid token');
  }
}

/** HS256 tokens. `typ` keeps a long-lived web session cookie from being used as an API token. */
export class TokenService {
  // Imported once: given bytes (or a KeyObject), jose imports the HMAC key into WebCrypto again
  // on every sign and verify; a CryptoKey it uses as it is.
  private readonly key: Promise<webcrypto.CryptoKey>;
  private readonly verified: VerifiedTokenCache<TokenKind, VerifiedToken>;
  private readonly now: () => number;

  constructor(
    secret: string,
    private readonly accessTtlSeconds = ACCESS_TOKEN_TTL_SECONDS,
    options: { cacheSize?: number; now?: () => number } = {},
  ) {
    this.key = webcrypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    this.now = options.now ?? Date.now;
    this.verified = new VerifiedTokenCache(
      options.cacheSize ?? VERIFIED_TOKEN_CACHE_SIZE,
      this.now,
    );
  }

  /** How many verified tokens are remembered (tests). */
  get cachedTokens() {
    return this.verified.size;
  }

  /** An access token bound to a server-side session: it refreshes only while that session lives. */
  issueForSession(userId: string, sessionId: string, ttlSeconds = this.accessTtlSeconds) {
    return this.issue(userId, 'access', ttlSeconds, sessionId);
  }

  async issue(
    userId: string,
    kind: TokenKind = 'access',
    ttlSeconds = kind === 'access' ? this.accessTtlSeconds : SESSION_TOKEN_TTL_SECONDS,
    sessionId?: string,
  ): Promise<IssuedToken> {
    const now = Math.floor(this.now() / 1000);
    const exp = now + ttlSeconds;
    const token = await new SignJWT(sessionId ? { typ: kind, sid: sessionId } : { typ: kind })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(await this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /**
   * A token's owner, expiry and session. A token seen before is answered from the cache
   * (never past its expiry); revocation is the caller's check, on every use.
   */
  async verify(token: string, kind: TokenKind = 'access'): Promise<VerifiedToken> {
    const cached = this.verified.get(token, kind);
    if (cached === 'expired') throw new TokenError('expired');
    if (cached) return { ...cached };
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        algorithms: ['HS256'],
        requiredClaims: ['sub', 'exp'],
        currentDate: new Date(this.now()),
      });
      if (
        payload.typ !== kind ||
        typeof payload.sub !== 'string' ||
        typeof payload.exp !== 'number'
      ) {
        throw new TokenError('invalid');
      }
      const verified: VerifiedToken = {
        userId: payload.sub,
        expiresAt: new Date(payload.exp * 1000),
      };
      if (typeof payload.sid === 'string') verified.sessionId = payload.sid;
      this.verified.set(token, kind, verified);
      return { ...verified };
    } catch (error) {
      if (error instanceof TokenError) throw error;
      if (error instanceof errors.JWTExpired) throw new TokenError('expired');
      throw new TokenError('invalid');
    }
  }
}
