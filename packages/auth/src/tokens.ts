import { errors, jwtVerify, SignJWT } from 'jose';

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

export type TokenErrorReason = 'expired' | 'invalid';

export class TokenError extends Error {
  constructor(readonly reason: TokenErrorReason) {
    super(reason === 'expired' ? 'Token expired' : 'Invalid token');
  }
}

/** HS256 tokens. `typ` keeps a long-lived web session cookie from being used as an API token. */
export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly accessTtlSeconds = ACCESS_TOKEN_TTL_SECONDS,
  ) {
    this.key = new TextEncoder().encode(secret);
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
    const now = Math.floor(Date.now() / 1000);
    const exp = now + ttlSeconds;
    const token = await new SignJWT(sessionId ? { typ: kind, sid: sessionId } : { typ: kind })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  async verify(token: string, kind: TokenKind = 'access'): Promise<VerifiedToken> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        requiredClaims: ['sub', 'exp'],
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
      return verified;
    } catch (error) {
      if (error instanceof TokenError) throw error;
      if (error instanceof errors.JWTExpired) throw new TokenError('expired');
      throw new TokenError('invalid');
    }
  }
}
