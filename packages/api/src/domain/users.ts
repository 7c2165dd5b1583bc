import { burnPasswordCheck, hashPassword, verifyPassword } from '@estuary/auth';
import { type DbOrTx, schema } from '@estuary/db';
import { eq, inArray } from 'drizzle-orm';
import { ChatError, conflict } from './errors';
import type { Role, User } from './types';

const { users } = schema;
const publicColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  externalId: users.externalId,
};

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

export async function registerUser(
  db: DbOrTx,
  input: { email: string; password: string; name: string; role: Role },
): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  const [user] = await db
    .insert(users)
    .values({
      email: normaliseEmail(input.email),
      name: input.name.trim(),
      role: input.role,
      passwordHash,
    })
    .onConflictDoNothing({ target: users.email })
    .returning(publicColumns);
  if (!user) throw conflict('An account with this email already exists');
  return user;
}

export async function authenticateUser(
  db: DbOrTx,
  input: { email: string; password: string },
): Promise<User> {
  const [row] = await db
    .select({ ...publicColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.email, normaliseEmail(input.email)));
  if (!row) {
    await burnPasswordCheck(input.password);
  } else if (await verifyPassword(input.password, row.passwordHash)) {
    const { passwordHash: _, ...user } = row;
    return user;
  }
  throw new ChatError('UNAUTHORIZED', 'Wrong email or password');
}

export async function findUser(db: DbOrTx, id: string): Promise<User | null> {
  const [user] = await db.select(publicColumns).from(users).where(eq(users.id, id));
  return user ?? null;
}

export async function findUsers(db: DbOrTx, ids: string[]): Promise<User[]> {
  if (ids.length === 0) return [];
  return db.select(publicColumns).from(users).where(inArray(users.id, ids));
}
