'use client';

import type { Booking } from '@estuary/api';
import { useRouter } from 'next/navigation';
import { useId } from 'react';
import { errorInfo } from '../lib/errors';
import { formatSessionRange } from '../lib/format';
import { useMe } from '../lib/session';
import { trpc } from '../lib/trpc';

/** One session, with the way into its conversation (created on first open). */
export function BookingItem({ booking }: { booking: Booking }) {
  const me = useMe();
  const router = useRouter();
  const titleId = useId();
  const open = trpc.conversation.forBooking.useMutation({
    onSuccess: (conversation) => router.push(`/conversations/${conversation.id}`),
  });
  const practitioner = me.id === booking.practitionerId;
  const other = practitioner ? booking.clientName : booking.practitionerName;
  const cancelled = booking.status === 'cancelled';
  return (
    <li className="booking" aria-labelledby={titleId}>
      <div>
        <h3 id={titleId}>{other}</h3>
        <p className="muted small">
          {practitioner ? 'Client' : 'Practitioner'} ·{' '}
          <time dateTime={booking.startsAt.toISOString()}>
            {formatSessionRange(booking.startsAt, booking.endsAt)}
          </time>
          {cancelled && <span className="tag">Cancelled</span>}
        </p>
        {open.error && (
          <p role="alert" className="error small">
            Could not open the chat: {errorInfo(open.error).message}
          </p>
        )}
      </div>
      <button
        type="button"
        onClick={() => open.mutate({ bookingId: booking.id })}
        disabled={open.isPending || open.isSuccess}
        aria-describedby={titleId}
      >
        {open.isPending || open.isSuccess ? 'Opening…' : 'Open chat'}
      </button>
    </li>
  );
}
