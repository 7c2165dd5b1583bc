'use client';

import type { Booking } from '@estuary/api';
import { useMemo } from 'react';
import { trpc } from '../lib/trpc';
import { useNow } from '../lib/use-now';
import { BookingItem } from './booking-item';
import { splitBookings } from './upcoming-and-past';

function Section({
  title,
  bookings,
  empty,
}: {
  title: string;
  bookings: Booking[];
  empty: string;
}) {
  return (
    <section className="booking-section" aria-label={title}>
      <h2>{title}</h2>
      {bookings.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className="bookings">
          {bookings.map((b) => (
            <BookingItem key={b.id} booking={b} />
          ))}
        </ul>
      )}
    </section>
  );
}

export function BookingList() {
  const bookings = trpc.booking.list.useQuery();
  const now = useNow(60_000);
  const split = useMemo(() => splitBookings(bookings.data ?? [], now), [bookings.data, now]);
  return (
    <div className="page">
      <h1>Bookings</h1>
      {bookings.isPending && <p className="muted">Loading your sessions…</p>}
      {bookings.error && (
        <p role="alert" className="error">
          {bookings.error.message}
        </p>
      )}
      {bookings.data && (
        <>
          <Section title="Upcoming" bookings={split.upcoming} empty="No upcoming sessions." />
          <Section title="Past" bookings={split.past} empty="No past sessions yet." />
        </>
      )}
    </div>
  );
}
