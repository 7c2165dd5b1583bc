import { type DbOrTx, schema } from '@estuary/db';
import { eq, or } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { badRequest, forbidden, notFound } from './errors';
import type { Booking, User } from './types';
import { findUsers } from './users';

const { bookings, conversations, users } = schema;
const practitioner = alias(users, 'practitioner');
const client = alias(users, 'client');

function selectBookings(db: DbOrTx) {
  return db
    .select({
      id: bookings.id,
      practitionerId: bookings.practitionerId,
      clientId: bookings.clientId,
      startsAt: bookings.startsAt,
      endsAt: bookings.endsAt,
      status: bookings.status,
      conversationId: conversations.id,
      practitionerName: practitioner.name,
      clientName: client.name,
    })
    .from(bookings)
    .innerJoin(practitioner, eq(practitioner.id, bookings.practitionerId))
    .innerJoin(client, eq(client.id, bookings.clientId))
    .leftJoin(conversations, eq(conversations.bookingId, bookings.id));
}

async function loadBooking(db: DbOrTx, id: string): Promise<Booking> {
  const [booking] = await selectBookings(db).where(eq(bookings.id, id));
  if (!booking) throw notFound('Booking');
  return booking;
}

export async function createBooking(
  db: DbOrTx,
  caller: User,
  input: { practitionerId: string; clientId: string; startsAt: Date; endsAt: Date },
): Promise<Booking> {
  if (caller.id !== input.practitionerId && caller.id !== input.clientId) {
    throw forbidden('You can only book sessions you take part in');
  }
  if (input.endsAt <= input.startsAt) throw badRequest('endsAt must be after startsAt');
  const people = await findUsers(db, [input.practitionerId, input.clientId]);
  const p = people.find((u) => u.id === input.practitionerId);
  const c = people.find((u) => u.id === input.clientId);
  if (!p || !c) throw notFound('User');
  if (p.role !== 'practitioner') throw badRequest('practitionerId is not a practitioner');
  if (c.role !== 'client') throw badRequest('clientId is not a client');
  const [row] = await db
    .insert(bookings)
    .values({
      practitionerId: p.id,
      clientId: c.id,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
    })
    .returning({ id: bookings.id });
  if (!row) throw new Error('insert returned nothing');
  return loadBooking(db, row.id);
}

/** The caller's bookings, as practitioner or client, in start order. */
export async function listBookings(db: DbOrTx, userId: string): Promise<Booking[]> {
  return selectBookings(db)
    .where(or(eq(bookings.practitionerId, userId), eq(bookings.clientId, userId)))
    .orderBy(bookings.startsAt);
}

/** Either party may cancel. Cancelling twice returns the cancelled booking. */
export async function cancelBooking(db: DbOrTx, caller: User, bookingId: string): Promise<Booking> {
  const booking = await loadBooking(db, bookingId);
  if (caller.id !== booking.practitionerId && caller.id !== booking.clientId) {
    throw forbidden('Only the booking’s practitioner and client may cancel it');
  }
  if (booking.status === 'cancelled') return booking;
  await db.update(bookings).set({ status: 'cancelled' }).where(eq(bookings.id, bookingId));
  return { ...booking, status: 'cancelled' };
}
