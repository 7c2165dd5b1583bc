import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps';
import { sendSystemMessage } from './system-messages';
import type { Booking } from './types';

const when = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
  timeZoneName: 'short',
});

export function bookingNotice(booking: Booking, change: 'cancelled' | 'rescheduled'): string {
  if (change === 'cancelled')
    return `Session cancelled (it was on ${when.format(booking.startsAt)})`;
  return `Session rescheduled to ${when.format(booking.startsAt)}`;
}

/**
 * A booking change becomes a system message in its conversation (if it has one). The new
 * message wakes every participant's summary stream, which re-reads the booking, so the
 * conversation header follows without a separate event.
 */
export async function announceBookingChange(
  deps: Deps,
  booking: Booking,
  change: 'cancelled' | 'rescheduled',
) {
  if (!booking.conversationId) return;
  await sendSystemMessage(deps, {
    conversationId: booking.conversationId,
    clientId: randomUUID(),
    content: bookingNotice(booking, change),
  });
}
