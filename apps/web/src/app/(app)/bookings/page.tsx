import type { Metadata } from 'next';
import { BookingList } from '../../../bookings/booking-list';

export const metadata: Metadata = { title: 'Bookings · Estuary Chat' };

export default function BookingsPage() {
  return <BookingList />;
}
