import { TokenError } from '@estuary/auth';
import { TRPCError } from '@trpc/server';
import type { Drain } from './backpressure';
import type { User } from './domain/types';
import { Gate } from './live/gate';
import { authenticatePlatform } from './platform-auth';
import { isPlatformToken } from './platform-tokens';
import { isServiceToken } from './service-tokens';
import type { ChatServices } from './services';

export type AuthState =
  | { ok: true; user: User; expiresAt: Date; sessionId?: string }
  | {
      ok: false;
      reason: 'missing' | 'expired' | 'invalid' | 'revoked' | 'unavailable' | 'service';
    };

/** Per-socket state; null for HTTP requests. */
export interface ConnectionState {
  subscriptions: number;
  /** Backpressure from the transport (see ./backpressure): subscriptions wait on it. */
  drain?: Drain;
  /** Replays on this socket take turns, one page at a time (see live/gate). */
  replayGate?: Gate;
  /** Subscriptions a socket may hold only once (`conversation.onUpdate`). */
  held?: Set<string>;
}

/**
 * What a transport creates for each request or socket. Procedures see it flattened, with
 * `ctx.db`, `ctx.deps` and (signed in) `ctx.user` beside it (see ./trpc).
 */
export interface Context {
  services: ChatServices;
  auth: AuthState;
  connection: ConnectionState | null;
  /** A service token (see ./service-procedures): checked, with its scopes, on every call. */
  serviceToken?: string | null;
  /** The client's address, for per-address limits (sign-in throttle); null when unknown. */
  address?: string | null;
}

export const authErrorMessage = {
  missing: 'Sign in first: no token was sent',
  expired: 'Token expired',
  invalid: 'Invalid token',
  unavailable: 'The platform’s signing keys cannot be fetched right now; retry shortly',
  service: 'A service token may call only the service procedures',
  revoked: 'Session ended: sign in again',
} as const;

/** Verifies an access token and loads its user. Never throws for a bad token: it says why. */
export async function authenticate(services: ChatServices, token: unknown): Promise<AuthState> {
  if (typeof token !== 'string' || token === '') return { ok: false, reason: 'missing' };
  // Not a user: the service procedures check the token (and its scopes) on every call.
  if (isServiceToken(token)) return { ok: false, reason: 'service' };
  if (isPlatformToken(token)) return authenticatePlatform(services, token);
  try {
    const verified = await services.tokens.verify(token, 'access');
    const user = await services.getUser(verified.userId);
    if (!user) return { ok: false, reason: 'invalid' };
    // A token minted from a session dies with it (sign out, sign out everywhere).
    if (verified.sessionId && !(await services.sessionAlive(verified.sessionId)))
      return { ok: false, reason: 'revoked' };
    return { ok: true, user, expiresAt: verified.expiresAt, sessionId: verified.sessionId };
  } catch (error) {
    if (error instanceof TokenError) return { ok: false, reason: error.reason };
    throw error;
  }
}

export const serviceTokenRefused = 'Unknown or revoked service token';

export function bearerToken(authorization: string | null | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match?.[1] ?? null;
}

/**
 * The client's address behind our proxy: the last `X-Forwarded-For` hop (the one the nearest
 * proxy, or Next itself, appended), else the socket's.
 */
export function clientAddress(headers: Headers, socketAddress?: string | null): string | null {
  const hops = headers
    .get('x-forwarded-for')
    ?.split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return hops?.at(-1) ?? socketAddress ?? null;
}

/** HTTP: `Authorization: Bearer <token>`. A bad token is refused per procedure, not here. */
export async function createHttpContext(
  services: ChatServices,
  headers: Headers,
  socketAddress?: string | null,
): Promise<Context> {
  const token = bearerToken(headers.get('authorization'));
  return {
    services,
    auth: await authenticate(services, token),
    connection: null,
    serviceToken: isServiceToken(token) ? token : null,
    address: clientAddress(headers, socketAddress),
  };
}

/**
 * WebSocket: the token comes in `connectionParams` and is checked once, at connect. A socket
 * without a valid token is refused outright (the adapter sends the error and closes). A
 * service's socket is checked at connect and again on every call.
 */
export async function createSocketContext(
  services: ChatServices,
  connectionParams: Record<string, string | undefined> | null,
): Promise<Context> {
  const token = connectionParams?.token;
  if (isServiceToken(token)) {
    if (!(await services.serviceTokens.verify(token)))
      throw new TRPCError({ code: 'UNAUTHORIZED', message: serviceTokenRefused });
    return {
      services,
      auth: { ok: false, reason: 'service' },
      connection: { subscriptions: 0, replayGate: new Gate(), held: new Set() },
      serviceToken: token,
    };
  }
  const auth = await authenticate(services, token);
  if (!auth.ok)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: authErrorMessage[auth.reason] });
  return {
    services,
    auth,
    connection: { subscriptions: 0, replayGate: new Gate(), held: new Set() },
  };
}
