import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ConversationView } from '../../../../chat/conversation-view';

export const metadata: Metadata = { title: 'Conversation · Estuary Chat' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  // Keyed: another conversation gets fresh state (stream, scroll, read marker), not leftovers.
  return <ConversationView key={id} conversationId={id} />;
}
