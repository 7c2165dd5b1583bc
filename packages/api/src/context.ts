import { TokenError } from '@estuary/auth';
import { TRPCError } from '@trpc/server';
import type { User } from './domain/types';
import { Gate } from './live/gate';
import type { ChatServices } from './services';

export type AuthState =
  | { ok: true; user: User; expiresAt: Date }
  | { ok: false; reason: 'missing' | 'expired' | 'invalid' };

/** Per-socket state; null for HTTP requests. */
export interface ConnectionState {
  subscriptions: number;
  /**
   * Backpressure from the transport: undefined while the socket can take more, otherwise a
   * promise that resolves once it has drained. Subscriptions wait on it before each yield.
   */
  drain?: () => Promise<void> | undefined;
  /** Replays on this socket take turns, one page at a time (see live/gate). */
  replayGate?: Gate;
  /** Subscriptions a socket may hold only once (`conversation.onUpdate`). */
  held?: Set<string>;
}

export interface Context {
  services: ChatServices;
  auth: AuthState;
  connection: ConnectionState | null;
}

export const authErrorMessage = {
  missing: 'Sign in first: no token was sent',
  expired: 'Token expired',
  invalid: 'Invalid token',
} as const;

/** Verifies an access token and loads its user. Never throws for a bad token: it says why. */
export async function authenticate(services: ChatServices, token: unknown): Promise<AuthState> {
  if (typeof token !== 'string' || token === '') return { ok: false, reason: 'missing' };
  try {
    const verified = await services.tokens.verify(token, 'access');
    const user = await services.getUser(verified.userId);
    if (!user) return { ok: false, reason: 'invalid' };
    return { ok: true, user, expiresAt: verified.expiresAt };
  } catch (error) {
    if (error instanceof TokenError) return { ok: false, reason: error.reason };
    throw error;
  }
}

export function bearerToken(authorization: string | null | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match?.[1] ?? null;
}

/** HTTP: `Authorization: Bearer <token>`. A bad token is refused per procedure, not here. */
export async function createHttpContext(
  services: ChatServices,
  headers: Headers,
): Promise<Context> {
  return {
    services,
    auth: await authenticate(services, bearerToken(headers.get('authorization'))),
    connection: null,
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
  return {
    services,
    auth,
    connection: { subscriptions: 0, replayGate: new Gate(), held: new Set() },
  };
}
