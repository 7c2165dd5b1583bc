import type { DbOrTx } from '@estuary/db';
import { sql } from 'drizzle-orm';
import { badRequest, forbidden, notFound } from './errors';
import { uuidList } from './sql';
import type { Role } from './types';

export type Contact = { id: string; name: string; role: Role };

/** The ids of everyone `userId` shares a booking or a conversation with. */
const contactIds = (userId: string) => sql`(
  select case when b.practitioner_id = ${userId} then b.client_id else b.practitioner_id end as id
  from bookings b where b.practitioner_id = ${userId} or b.client_id = ${userId}
  union
  select other.user_id from conversation_participants mine
  join conversation_participants other on other.conversation_id = mine.conversation_id
  where mine.user_id = ${userId} and other.user_id <> ${userId})`;

const encodeCursor = (c: Contact) =>
  Buffer.from(JSON.stringify([c.name, c.id])).toString('base64url');

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') {
      const [name, id] = value;
      if (/^[0-9a-f-]{36}$/i.test(id)) return [name, id];
    }
  } catch {}
  throw badRequest('Invalid cursor');
}

/** `like` treats these as wildcards; a typed "%" must match a literal percent sign. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * `user.contacts`: the caller's contacts by name, optionally filtered by a part of the name
 * (whatever its accents or case). Never anyone the caller has no booking or conversation with.
 */
export async function listContacts(
  db: DbOrTx,
  userId: string,
  input: { query?: string | null | undefined; cursor?: string | null | undefined; limit: number },
): Promise<{ items: Contact[]; nextCursor: string | null }> {
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  const query = input.query?.trim() ? `%${escapeLike(input.query.trim())}%` : null;
  const rows = await db.execute<Contact>(sql`
    select u.id, u.name, u.role from users u
    where u.id in ${contactIds(userId)}
      ${query ? sql`and unaccent(u.name) ilike unaccent(${query})` : sql``}
      ${after ? sql`and (u.name, u.id) > (${after[0]}, ${after[1]}::uuid)` : sql``}
    order by u.name, u.id
    limit ${input.limit + 1}`);
  const items = rows.slice(0, input.limit).map(({ id, name, role }) => ({ id, name, role }));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > input.limit && last ? encodeCursor(last) : null };
}

/**
 * The contact rule behind `conversation.direct`, `createGroup` and `addParticipant`: the
 * caller may bring in a contact of theirs or a practitioner (practitioners are public, as in
 * a booking platform's directory), nobody else. A client is never pulled into a
 * conversation by a stranger. NOT_FOUND for an id that is nobody.
 */
export async function requireReachable(db: DbOrTx, callerId: string, userIds: string[]) {
  const ids = [...new Set(userIds)].filter((id) => id !== callerId);
  if (ids.length === 0) return;
  const rows = await db.execute<{ id: string; reachable: boolean }>(sql`
    select u.id, (u.role = 'practitioner' or u.id in ${contactIds(callerId)}) as reachable
    from users u where u.id in ${uuidList(ids)}`);
  if (rows.length !== ids.length) throw notFound('User');
  if (rows.some((r) => !r.reachable)) {
    throw forbidden('You can only add your contacts or practitioners to a conversation');
  }
}
