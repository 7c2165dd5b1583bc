import { randomBytes } from 'node:crypto';
import { hashPassword } from '@estuary/auth';
import { type DbOrTx, schema } from '@estuary/db';
import { sql } from 'drizzle-orm';
import { conflict } from './errors';
import type { Role, User } from './types';
import { normaliseEmail } from './users';

const { users } = schema;

/**
 * These users sign in through the platform, never with a password. Their hash is a real
 * scrypt hash of a random secret that is thrown away: nothing matches it, and a login try
 * against their email takes as long as any other (no hint of which emails exist).
 */
let noPassword: Promise<string> | undefined;
const unusablePasswordHash = () => {
  noPassword ??= hashPassword(randomBytes(32).toString('base64url'));
  return noPassword;
};
const UNIQUE_VIOLATION = '23505';

/**
 * Creates or updates the user the platform knows as `externalId` (a platform token's `sub`,
 * or `user.upsert` from a service). Idempotent; unchanged rows are not rewritten.
 */
export async function upsertExternalUser(
  db: DbOrTx,
  input: { externalId: string; email: string; name: string; role: Role },
): Promise<User> {
  const values = {
    externalId: input.externalId,
    email: normaliseEmail(input.email),
    name: input.name.trim(),
    role: input.role,
  };
  const returning = {
    id: users.id,
    email: users.email,
    name: users.name,
    role: users.role,
    externalId: users.externalId,
  };
  try {
    const [user] = await db
      .insert(users)
      .values({ ...values, passwordHash: await unusablePasswordHash() })
      .onConflictDoUpdate({
        target: users.externalId,
        set: { email: values.email, name: values.name, role: values.role },
        setWhere: sql`(${users.email}, ${users.name}, ${users.role}) is distinct from (excluded.email, excluded.name, excluded.role)`,
      })
      .returning(returning);
    if (user) return user;
    // Nothing changed: the row is as it was.
    const [same] = await db
      .select(returning)
      .from(users)
      .where(sql`${users.externalId} = ${values.externalId}`);
    if (!same) throw new Error('external user vanished');
    return same;
  } catch (error) {
    const e = error as { code?: string; cause?: { code?: string } };
    if ((e.code ?? e.cause?.code) === UNIQUE_VIOLATION) {
      throw conflict(`The email ${values.email} belongs to another account`);
    }
    throw error;
  }
}
