import 'server-only';
import { SESSION_TOKEN_TTL_SECONDS } from '@estuary/auth';
import { cookies } from 'next/headers';
import { env } from '../env';
import { webServer } from './services';

/**
 * The browser's session: a long-lived token in an HttpOnly cookie that scripts cannot read.
 * It is good for one thing only, minting short-lived access tokens at /api/session/token;
 * the API itself accepts access tokens alone.
 */
export const SESSION_COOKIE = 'estuary_session';

export async function startSession(userId: string) {
  const { services } = await webServer();
  const { token } = await services.tokens.issue(userId, 'session');
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: env().production,
    path: '/',
    maxAge: SESSION_TOKEN_TTL_SECONDS,
  });
}

export async function endSession() {
  (await cookies()).delete(SESSION_COOKIE);
}

/** The signed-in user's id, or null. */
export async function sessionUserId(): Promise<string | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  const { services } = await webServer();
  try {
    const { userId } = await services.tokens.verify(token, 'session');
    return (await services.getUser(userId)) ? userId : null;
  } catch {
    return null;
  }
}
