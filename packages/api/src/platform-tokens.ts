import {
  type CryptoKey,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import type { Role } from './domain/types';

export interface PlatformAuthOptions {
  /** The platform's JSON Web Key Set (AUTH_JWKS_URL). */
  jwksUrl: string;
  /** Checked when set (AUTH_ISSUER, AUTH_AUDIENCE). */
  issuer?: string | undefined;
  audience?: string | undefined;
  /** Claim names (AUTH_CLAIM_EMAIL / _NAME / _ROLE); defaults `email`, `name`, `role`. */
  claims?: { email?: string | undefined; name?: string | undefined; role?: string | undefined };
  /** Least time between two fetches for an unknown `kid` (jose's cooldown; default 30 s). */
  refetchCooldownMs?: number;
  /** How long one key fetch may take (default 5 s). */
  fetchTimeoutMs?: number;
}

/** Who a verified platform token says the user is. */
export interface PlatformIdentity {
  externalId: string;
  email: string;
  name: string;
  role: Role;
  expiresAt: Date;
}

export type PlatformVerdict =
  | { ok: true; identity: PlatformIdentity }
  | { ok: false; reason: 'expired' | 'invalid' | 'unavailable'; why: string };

/** The algorithms a platform may sign with. Ours is HS256, so the header alone tells them apart. */
const PLATFORM_ALGORITHMS = ['RS256', 'ES256'];

/** True for a JWT whose header names an asymmetric algorithm: a platform token, not ours. */
export function isPlatformToken(token: string): boolean {
  try {
    return PLATFORM_ALGORITHMS.includes(decodeProtectedHeader(token).alg ?? '');
  } catch {
    return false;
  }
}

/**
 * Verifies the booking platform's own access tokens against its JWKS. jose's remote key set
 * fetches lazily, caches, and refetches when a token names a `kid` it does not hold (at most
 * once per cooldown), so a key rotation needs no restart. A key server that cannot be reached
 * refuses platform tokens only (`unavailable`), and is counted.
 */
export class PlatformTokens {
  /** For /metrics: key fetches that failed (server down, timeout, not a key set). */
  keyFetchFailures = 0;
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;
  private readonly claims: { email: string; name: string; role: string };

  constructor(private readonly options: PlatformAuthOptions) {
    this.keys = createRemoteJWKSet(new URL(options.jwksUrl), {
      cooldownDuration: options.refetchCooldownMs ?? 30_000,
      timeoutDuration: options.fetchTimeoutMs ?? 5_000,
    });
    this.claims = {
      email: options.claims?.email || 'email',
      name: options.claims?.name || 'name',
      role: options.claims?.role || 'role',
    };
  }

  async verify(token: string): Promise<PlatformVerdict> {
    let payload: JWTPayload;
    try {
      payload = await this.verifyWithAnyKey(token);
    } catch (error) {
      if (error instanceof errors.JWTExpired) return refuse('expired', 'token expired');
      if (keyServerFailed(error)) {
        this.keyFetchFailures++;
        return refuse('unavailable', `key server: ${(error as Error).message}`);
      }
      return refuse('invalid', (error as Error).message);
    }
    return this.identity(payload);
  }

  /**
   * A token without a `kid` (Django SimpleJWT issues those) matches every key of its
   * algorithm; jose then hands over the candidates, and the one that verifies wins.
   */
  private async verifyWithAnyKey(token: string): Promise<JWTPayload> {
    const checks = {
      algorithms: PLATFORM_ALGORITHMS,
      issuer: this.options.issuer || undefined,
      audience: this.options.audience || undefined,
      requiredClaims: ['sub', 'exp'],
    };
    try {
      return (await jwtVerify(token, this.keys, checks)).payload;
    } catch (error) {
      if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
      const candidates = error as unknown as AsyncIterable<CryptoKey>;
      for await (const key of candidates) {
        try {
          return (await jwtVerify(token, key, checks)).payload;
        } catch (inner) {
          if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner;
        }
      }
      throw new errors.JWSSignatureVerificationFailed();
    }
  }

  private identity(payload: JWTPayload): PlatformVerdict {
    const text = (name: string) => {
      const value = payload[name];
      return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
    };
    const sub = payload.sub;
    const email = text(this.claims.email);
    if (!sub || typeof payload.exp !== 'number') return refuse('invalid', 'no sub or exp');
    if (!email?.includes('@'))
      return refuse('invalid', `claim "${this.claims.email}" is not an email`);
    const role = text(this.claims.role) ?? 'client';
    if (role !== 'practitioner' && role !== 'client') {
      return refuse('invalid', `claim "${this.claims.role}" must be practitioner or client`);
    }
    return {
      ok: true,
      identity: {
        externalId: sub,
        email,
        name: (text(this.claims.name) ?? email.split('@')[0] ?? email).slice(0, 200),
        role,
        expiresAt: new Date(payload.exp * 1000),
      },
    };
  }
}

const refuse = (reason: 'expired' | 'invalid' | 'unavailable', why: string): PlatformVerdict => ({
  ok: false,
  reason,
  why,
});

/**
 * A failure to get keys, as opposed to a bad token: a timeout, a network error (not a jose
 * error at all), a non-200 answer (the bare JOSEError) or a body that is not a key set.
 */
function keyServerFailed(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  if (!(error instanceof errors.JOSEError)) return true;
  return error.constructor === errors.JOSEError;
}

/** The platform settings as the apps' env.ts parse them; null without AUTH_JWKS_URL. */
export function platformAuthFromEnv(env: {
  AUTH_JWKS_URL?: string | undefined;
  AUTH_ISSUER?: string | undefined;
  AUTH_AUDIENCE?: string | undefined;
  AUTH_CLAIM_EMAIL?: string | undefined;
  AUTH_CLAIM_NAME?: string | undefined;
  AUTH_CLAIM_ROLE?: string | undefined;
}): PlatformAuthOptions | null {
  if (!env.AUTH_JWKS_URL) return null;
  return {
    jwksUrl: env.AUTH_JWKS_URL,
    issuer: env.AUTH_ISSUER,
    audience: env.AUTH_AUDIENCE,
    claims: { email: env.AUTH_CLAIM_EMAIL, name: env.AUTH_CLAIM_NAME, role: env.AUTH_CLAIM_ROLE },
  };
}
