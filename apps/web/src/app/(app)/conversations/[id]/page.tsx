import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ConversationView } from '../../../../chat/conversation-view';

export const metadata: Metadata = { title: 'Conversation · Estuary Chat' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function ConversationPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ seq?: string | string[] }>;
}) {
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  const { seq } = await searchParams;
  // Keyed: another conversation gets fresh state (stream, scroll, read marker), not leftovers;
  // so does opening it at another message (`?seq=`, from a search result).
  return <ConversationView key={`${id}:${seq ?? ''}`} conversationId={id} />;
}
