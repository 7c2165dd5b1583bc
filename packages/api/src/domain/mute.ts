import { sql } from 'drizzle-orm';
import type { Deps } from '../deps';
import { publish, topics } from '../events';
import { notFound } from './errors';
import { summariesFor } from './summaries';
import type { ConversationSummary, User } from './types';

/** Mutes (or unmutes) a conversation for the caller only: no pushes or unread webhooks for it. */
export async function setMuted(
  deps: Deps,
  caller: User,
  conversationId: string,
  muted: boolean,
): Promise<ConversationSummary> {
  await deps.db.execute(sql`
    update conversation_participants set muted = ${muted}
    where conversation_id = ${conversationId} and user_id = ${caller.id}`);
  const [summary] = await summariesFor(deps.db, caller.id, [conversationId]);
  if (!summary) throw notFound('Conversation');
  await publish(deps, topics.user(caller.id), { type: 'conversation.changed', conversationId });
  return summary;
}
