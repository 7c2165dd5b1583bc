import { createHash, randomBytes } from 'node:crypto';
import { SESSION_TOKEN_TTL_SECONDS } from '@estuary/auth';
import { type DbOrTx, schema } from '@estuary/db';
import { and, eq, gt, isNull } from 'drizzle-orm';

const { sessions } = schema;

/**
 * Server-side sign-ins. The browser's cookie holds a random secret (32 bytes); the database
 * keeps only its SHA-256, so a leaked table cannot be replayed. Access tokens minted from a
 * session carry its id (`sid`), so revoking the session ends their refreshes too.
 */
export interface Session {
  id: string;
  userId: string;
  expiresAt: Date;
}

const hash = (secret: string) => createHash('sha256').update(secret).digest('base64url');

export async function createSession(
  db: DbOrTx,
  userId: string,
  ttlSeconds = SESSION_TOKEN_TTL_SECONDS,
): Promise<Session & { secret: string }> {
  const secret = randomBytes(32).toString('base64url');
  const [row] = await db
    .insert(sessions)
    .values({
      userId,
      tokenHash: hash(secret),
      expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    })
    .returning({ id: sessions.id, userId: sessions.userId, expiresAt: sessions.expiresAt });
  if (!row) throw new Error('insert returned nothing');
  return { ...row, secret };
}

const alive = () => and(isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date()));
const columns = { id: sessions.id, userId: sessions.userId, expiresAt: sessions.expiresAt };

/** The live session a cookie's secret belongs to, or null (unknown, revoked or expired). */
export async function sessionBySecret(db: DbOrTx, secret: string): Promise<Session | null> {
  const [row] = await db
    .select(columns)
    .from(sessions)
    .where(and(eq(sessions.tokenHash, hash(secret)), alive()));
  return row ?? null;
}

export async function isSessionAlive(db: DbOrTx, sessionId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.id, sessionId), alive()));
  return row !== undefined;
}

/** Sign out: this session only. */
export async function revokeSession(db: DbOrTx, sessionId: string): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/** Sign out everywhere: every session of the user. Returns how many were live. */
export async function revokeUserSessions(db: DbOrTx, userId: string): Promise<number> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.length;
}
