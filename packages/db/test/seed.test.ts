import { verifyPassword } from '@estuary/auth';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, createDb, type Db } from '../src/client';
import { DEMO_PASSWORD, DEMO_USERS, seed, seedIfEmpty } from '../src/seed';
import { createTestDatabase, type TestDatabase } from '../src/testing';

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url);
});
afterAll(async () => {
  await closeDb(db);
  await database.drop();
});

const counts = async () => {
  const [row] = await db.execute<Record<string, number>>(sql`
    select (select count(*)::int from users) as users,
           (select count(*)::int from bookings) as bookings,
           (select count(*)::int from conversations) as conversations,
           (select count(*)::int from conversation_participants) as participants,
           (select count(*)::int from messages) as messages,
           (select count(*)::int from message_events) as events`);
  return row;
};

describe('demo seed', () => {
  it('creates 2 practitioners, 3 clients, bookings and one booking chat with messages', async () => {
    expect(await seedIfEmpty(database.url)).toBe(true);
    const after = await counts();
    expect(after).toMatchObject({ users: 5, conversations: 1, participants: 2 });
    expect(after?.bookings).toBeGreaterThanOrEqual(3);
    expect(after?.messages).toBeGreaterThanOrEqual(3);
    expect(after?.events).toBe(after?.messages);
    const roles = await db.execute<{ role: string; n: number }>(
      sql`select role, count(*)::int as n from users group by role order by role::text`,
    );
    expect([...roles]).toEqual([
      { role: 'client', n: 3 },
      { role: 'practitioner', n: 2 },
    ]);
    const [conv] = await db.execute<{ last_seq: number; last_event_seq: number }>(
      sql`select last_seq, last_event_seq from conversations`,
    );
    expect(conv?.last_seq).toBe(after?.messages);
  });

  it('is idempotent: running it again changes nothing', async () => {
    const before = await counts();
    await seed(db);
    await seed(db);
    expect(await counts()).toEqual(before);
    expect(await seedIfEmpty(database.url)).toBe(false);
  });

  it('documents working logins', async () => {
    for (const user of DEMO_USERS) {
      const [row] = await db.execute<{ password_hash: string }>(
        sql`select password_hash from users where email = ${user.email}`,
      );
      expect(await verifyPassword(DEMO_PASSWORD, row?.password_hash ?? '')).toBe(true);
    }
  });
});
