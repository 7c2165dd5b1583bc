import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Conversations · Estuary Chat' };

export default function ConversationsPage() {
  return (
    <section className="chat chat-empty">
      <p>Choose a conversation, or open one from your bookings.</p>
    </section>
  );
}
