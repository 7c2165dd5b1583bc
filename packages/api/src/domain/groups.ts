import { schema } from '@estuary/db';
import { eq } from 'drizzle-orm';
import type { Deps } from '../deps';
import { publish, topics } from '../events';
import { loadConversation, removeParticipant, requireParticipant } from './conversations';
import { badRequest } from './errors';
import { announceMembershipChange } from './membership-notices';
import type { Conversation, User } from './types';

const { conversations } = schema;

async function requireGroupMember(deps: Deps, conversationId: string, caller: User) {
  await requireParticipant(deps.db, conversationId, caller.id);
  const [row] = await deps.db
    .select({ kind: conversations.kind })
    .from(conversations)
    .where(eq(conversations.id, conversationId));
  if (row?.kind !== 'group') throw badRequest('Only group conversations can do this');
}

/** `conversation.rename`: any participant of a group may rename it. */
export async function renameGroup(
  deps: Deps,
  caller: User,
  conversationId: string,
  title: string,
): Promise<Conversation> {
  await requireGroupMember(deps, conversationId, caller);
  await deps.db
    .update(conversations)
    .set({ title: title.trim() })
    .where(eq(conversations.id, conversationId));
  // Wakes every member's conversation.onUpdate, which re-reads the title.
  await publish(deps, topics.members(conversationId), { type: 'renamed', userId: caller.id });
  await announceMembershipChange(deps, conversationId, {
    kind: 'renamed',
    by: caller.name,
    title: title.trim(),
  });
  return loadConversation(deps.db, conversationId);
}

/** `conversation.leave`: anyone may leave a group; their live streams of it end at once. */
export async function leaveGroup(deps: Deps, caller: User, conversationId: string) {
  await requireGroupMember(deps, conversationId, caller);
  await removeParticipant(deps, caller, conversationId, caller.id);
}
