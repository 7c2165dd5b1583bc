import { TokenError } from '@estuary/auth';
import { TRPCError } from '@trpc/server';
import type { User } from './domain/types';
import type { ChatServices } from './services';

export type AuthState =
  | { ok: true; user: User; expiresAt: Date; sessionId?: string }
  | { ok: false; reason: 'missing' | 'expired' | 'invalid' | 'revoked' };

/** Per-socket state; null for HTTP requests. */
export interface ConnectionState {
  subscriptions: number;
  /**
   * Backpressure from the transport: undefined while the socket can take more, otherwise a
   * promise that resolves once it has drained. Subscriptions wait on it before each yield.
   */
  drain?: () => Promise<void> | undefined;
}

export interface Context {
  services: ChatServices;
  auth: AuthState;
  connection: ConnectionState | null;
  /** The client's address, for per-address limits (sign-in throttle); null when unknown. */
  address?: string | null;
}

export const authErrorMessage = {
  missing: 'Sign in first: no token was sent',
  expired: 'Token expired',
  invalid: 'Invalid token',
  revoked: 'Session ended: sign in again',
} as const;

/** Verifies an access token and loads its user. Never throws for a bad token: it says why. */
export async function authenticate(services: ChatServices, token: unknown): Promise<AuthState> {
  if (typeof token !== 'string' || token === '') return { ok: false, reason: 'missing' };
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
  return {
    services,
    auth: await authenticate(services, bearerToken(headers.get('authorization'))),
    connection: null,
    address: clientAddress(headers, socketAddress),
  };
}

/**
 * WebSocket: the token comes in `connectionParams` and is checked once, at connect. A socket
 * without a valid token is refused outright (the adapter sends the error and closes).
 */
export async function createSocketContext(
  services: ChatServices,
  connectionParams: Record<string, string | undefined> | null,
): Promise<Context & { auth: { ok: true } }> {
  const auth = await authenticate(services, connectionParams?.token);
  if (!auth.ok)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: authErrorMessage[auth.reason] });
  return { services, auth, connection: { subscriptions: 0 } };
}
