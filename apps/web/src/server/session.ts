import 'server-only';
import { createSession, revokeSession, revokeUserSessions, sessionBySecret } from '@estuary/api';
import { SESSION_TOKEN_TTL_SECONDS } from '@estuary/auth';
import { cookies } from 'next/headers';
import { env } from '../env';
import { chatServer } from './services';

/**
 * The browser's session: a random secret in an HttpOnly cookie that scripts cannot read,
 * naming a row of `sessions` (which keeps only its hash). It is good for one thing only,
 * minting short-lived access tokens bound to that session at /api/session/token; the API
 * itself accepts access tokens alone. Signing out revokes the row, so the cookie, and every
 * token minted from it, stop working everywhere.
 */
export const SESSION_COOKIE = 'estuary_session';

export async function startSession(userId: string) {
  const { services } = await chatServer();
  const session = await createSession(services.deps.db, userId);
  (await cookies()).set(SESSION_COOKIE, session.secret, {
    httpOnly: true,
    sameSite: 'lax',
    secure: env().production,
    path: '/',
    maxAge: SESSION_TOKEN_TTL_SECONDS,
  });
}

/** Sign out: this browser's session, or (`everywhere`) every session of its user. */
export async function endSession(options: { everywhere?: boolean } = {}) {
  const jar = await cookies();
  const session = await currentSession();
  if (session) {
    const { services } = await chatServer();
    if (options.everywhere) await revokeUserSessions(services.deps.db, session.userId);
    else await revokeSession(services.deps.db, session.id);
    services.forgetSession(session.id);
  }
  jar.delete(SESSION_COOKIE);
}

/** The signed-in browser's live session, or null. */
export async function currentSession() {
  const secret = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!secret || secret.length > 100) return null;
  const { services } = await chatServer();
  const session = await sessionBySecret(services.deps.db, secret);
  if (!session || !(await services.getUser(session.userId))) return null;
  return session;
}

/** The signed-in user's id, or null. */
export async function sessionUserId(): Promise<string | null> {
  return (await currentSession())?.userId ?? null;
}
