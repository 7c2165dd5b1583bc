import { type DbOrTx, schema } from '@estuary/db';
import { and, eq, or } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Deps } from '../deps';
import { announceBookingChange } from './booking-notices';
import { type Caller, isService } from './callers';
import { badRequest, conflict, forbidden, notFound } from './errors';
import type { Booking } from './types';
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

export async function loadBooking(db: DbOrTx, id: string): Promise<Booking> {
  const [booking] = await selectBookings(db).where(eq(bookings.id, id));
  if (!booking) throw notFound('Booking');
  return booking;
}

export async function createBooking(
  db: DbOrTx,
  caller: Caller,
  input: { practitionerId: string; clientId: string; startsAt: Date; endsAt: Date },
): Promise<Booking> {
  // A service with the `bookings` scope books for anyone; a user only for themselves.
  if (!isService(caller) && caller.id !== input.practitionerId && caller.id !== input.clientId) {
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

/** The booking, if `caller` is a service or one of its two people. */
async function bookingFor(db: DbOrTx, caller: Caller, bookingId: string, action: string) {
  const booking = await loadBooking(db, bookingId);
  if (
    !isService(caller) &&
    caller.id !== booking.practitionerId &&
    caller.id !== booking.clientId
  ) {
    throw forbidden(`Only the booking’s practitioner and client may ${action} it`);
  }
  return booking;
}

/**
 * Either party (or a service) may cancel. Cancelling twice returns the cancelled booking; the
 * conditional update makes one of two racing cancels the one that posts the notice.
 */
export async function cancelBooking(
  deps: Deps,
  caller: Caller,
  bookingId: string,
): Promise<Booking> {
  const booking = await bookingFor(deps.db, caller, bookingId, 'cancel');
  if (booking.status === 'cancelled') return booking;
  const [changed] = await deps.db
    .update(bookings)
    .set({ status: 'cancelled' })
    .where(and(eq(bookings.id, bookingId), eq(bookings.status, 'confirmed')))
    .returning({ id: bookings.id });
  const cancelled: Booking = { ...booking, status: 'cancelled' };
  if (changed) await announceBookingChange(deps, cancelled, 'cancelled');
  return cancelled;
}

/** Moves a confirmed booking; its conversation gets a notice and a fresh header. */
export async function rescheduleBooking(
  deps: Deps,
  caller: Caller,
  input: { bookingId: string; startsAt: Date; endsAt: Date },
): Promise<Booking> {
  if (input.endsAt <= input.startsAt) throw badRequest('endsAt must be after startsAt');
  const booking = await bookingFor(deps.db, caller, input.bookingId, 'reschedule');
  if (booking.status === 'cancelled') throw conflict('A cancelled booking cannot be rescheduled');
  if (
    booking.startsAt.getTime() === input.startsAt.getTime() &&
    booking.endsAt.getTime() === input.endsAt.getTime()
  ) {
    return booking;
  }
  const [changed] = await deps.db
    .update(bookings)
    .set({ startsAt: input.startsAt, endsAt: input.endsAt })
    .where(and(eq(bookings.id, input.bookingId), eq(bookings.status, 'confirmed')))
    .returning({ id: bookings.id });
  if (!changed) throw conflict('A cancelled booking cannot be rescheduled');
  const moved: Booking = { ...booking, startsAt: input.startsAt, endsAt: input.endsAt };
  await announceBookingChange(deps, moved, 'rescheduled');
  return moved;
}
