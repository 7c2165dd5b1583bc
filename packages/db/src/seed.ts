import { hashPassword } from '@estuary/auth';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { closeDb, createDb, type Db } from './client';
import {
  bookings,
  conversationParticipants,
  conversations,
  messageEvents,
  messages,
  users,
} from './schema';

export const DEMO_PASSWORD = 'estuary-demo';

export const DEMO_USERS = [
  { email: 'ada@example.com', name: 'Ada Okafor', role: 'practitioner' },
  { email: 'ben@example.com', name: 'Ben Carter', role: 'practitioner' },
  { email: 'chloe@example.com', name: 'Chloe Martin', role: 'client' },
  { email: 'dev@example.com', name: 'Dev Patel', role: 'client' },
  { email: 'emma@example.com', name: 'Emma Rossi', role: 'client' },
] as const;

type DemoEmail = (typeof DEMO_USERS)[number]['email'];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface DemoBooking {
  id: string;
  practitioner: DemoEmail;
  client: DemoEmail;
  inDays: number;
  hour: number;
}

/** The booking whose conversation the seed fills with a few messages. */
const CHAT_BOOKING: DemoBooking = {
  id: '5eed0000-0000-4000-8000-000000000001',
  practitioner: 'ada@example.com',
  client: 'chloe@example.com',
  inDays: 1,
  hour: 10,
};

// Fixed ids make the seed idempotent: a second run finds every row already there.
const DEMO_BOOKINGS: DemoBooking[] = [
  CHAT_BOOKING,
  {
    id: '5eed0000-0000-4000-8000-000000000002',
    practitioner: 'ada@example.com',
    client: 'dev@example.com',
    inDays: 3,
    hour: 14,
  },
  {
    id: '5eed0000-0000-4000-8000-000000000003',
    practitioner: 'ben@example.com',
    client: 'emma@example.com',
    inDays: -2,
    hour: 9,
  },
  {
    id: '5eed0000-0000-4000-8000-000000000004',
    practitioner: 'ben@example.com',
    client: 'chloe@example.com',
    inDays: 7,
    hour: 16,
  },
  {
    id: '5eed0000-0000-4000-8000-000000000005',
    practitioner: 'ada@example.com',
    client: 'emma@example.com',
    inDays: -5,
    hour: 11,
  },
];

const DEMO_MESSAGES: { from: DemoEmail; clientId: string; content: string }[] = [
  {
    from: 'ada@example.com',
    clientId: '5eed0000-0000-4000-8000-0000000000a1',
    content: 'Hi Chloe, looking forward to our session tomorrow.',
  },
  {
    from: 'chloe@example.com',
    clientId: '5eed0000-0000-4000-8000-0000000000a2',
    content: 'Me too! Should I bring anything?',
  },
  {
    from: 'ada@example.com',
    clientId: '5eed0000-0000-4000-8000-0000000000a3',
    content: 'Just a notebook, and any questions left over from last week.',
  },
  {
    from: 'chloe@example.com',
    clientId: '5eed0000-0000-4000-8000-0000000000a4',
    content: 'Great, see you then.',
  },
];

function at(inDays: number, hour: number): Date {
  const day = new Date(Date.now() + inDays * DAY);
  day.setUTCHours(hour, 0, 0, 0);
  return day;
}

/** Inserts whatever demo data is missing. Safe to run any number of times. */
export async function seed(db: Db): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db
    .insert(users)
    .values(DEMO_USERS.map((u) => ({ ...u, passwordHash })))
    .onConflictDoNothing({ target: users.email });
  const rows = await db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(
      inArray(
        users.email,
        DEMO_USERS.map((u) => u.email),
      ),
    );
  const idOf = (email: DemoEmail) => {
    const row = rows.find((r) => r.email === email);
    if (!row) throw new Error(`seed: user ${email} missing`);
    return row.id;
  };

  await db
    .insert(bookings)
    .values(
      DEMO_BOOKINGS.map((b) => ({
        id: b.id,
        practitionerId: idOf(b.practitioner),
        clientId: idOf(b.client),
        startsAt: at(b.inDays, b.hour),
        endsAt: new Date(at(b.inDays, b.hour).getTime() + HOUR),
      })),
    )
    .onConflictDoNothing({ target: bookings.id });

  await db.transaction(async (tx) => {
    await tx
      .insert(conversations)
      .values({
        kind: 'booking',
        bookingId: CHAT_BOOKING.id,
        createdBy: idOf(CHAT_BOOKING.practitioner),
      })
      .onConflictDoNothing({ target: conversations.bookingId });
    const [conversation] = await tx
      .select()
      .from(conversations)
      .where(eq(conversations.bookingId, CHAT_BOOKING.id))
      .for('update');
    if (!conversation) throw new Error('seed: booking conversation missing');
    await tx
      .insert(conversationParticipants)
      .values(
        [CHAT_BOOKING.practitioner, CHAT_BOOKING.client].map((email) => ({
          conversationId: conversation.id,
          userId: idOf(email),
        })),
      )
      .onConflictDoNothing();
    if (conversation.lastSeq > 0) return;

    const inserted = await tx
      .insert(messages)
      .values(
        DEMO_MESSAGES.map((m, i) => ({
          conversationId: conversation.id,
          seq: i + 1,
          senderId: idOf(m.from),
          clientId: m.clientId,
          content: m.content,
          createdAt: new Date(Date.now() - (DEMO_MESSAGES.length - i) * 7 * 60_000),
        })),
      )
      .returning({ id: messages.id, seq: messages.seq });
    await tx.insert(messageEvents).values(
      inserted.map((m) => ({
        conversationId: conversation.id,
        seq: m.seq,
        type: 'message.created' as const,
        messageId: m.id,
      })),
    );
    await tx
      .update(conversations)
      .set({ lastSeq: inserted.length, lastEventSeq: inserted.length, lastActivityAt: sql`now()` })
      .where(eq(conversations.id, conversation.id));
    // Chloe has read Ada's first message; Ada has read everything.
    await tx
      .update(conversationParticipants)
      .set({ lastReadSeq: 2, readAt: sql`now()` })
      .where(
        and(
          eq(conversationParticipants.conversationId, conversation.id),
          eq(conversationParticipants.userId, idOf(CHAT_BOOKING.client)),
        ),
      );
    await tx
      .update(conversationParticipants)
      .set({ lastReadSeq: inserted.length, readAt: sql`now()` })
      .where(
        and(
          eq(conversationParticipants.conversationId, conversation.id),
          eq(conversationParticipants.userId, idOf(CHAT_BOOKING.practitioner)),
        ),
      );
  });
}

/** For `pnpm dev`: seeds only a database that has no users yet. Returns whether it seeded. */
export async function seedIfEmpty(url: string): Promise<boolean> {
  const db = createDb(url, { max: 2 });
  try {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
    if ((row?.n ?? 0) > 0) return false;
    await seed(db);
    return true;
  } finally {
    await closeDb(db);
  }
}
