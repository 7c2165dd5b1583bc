import type { Booking } from '@estuary/api';

/**
 * Upcoming sessions (not yet over) soonest first, and past ones most recent first. A
 * session in progress counts as upcoming: that is when its chat matters most.
 */
export function splitBookings(bookings: readonly Booking[], now: number) {
  const upcoming = bookings
    .filter((b) => b.endsAt.getTime() >= now)
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  const past = bookings
    .filter((b) => b.endsAt.getTime() < now)
    .sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime());
  return { upcoming, past };
}
