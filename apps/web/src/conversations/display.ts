import type { Conversation, ConversationSummary, Participant } from '@estuary/api';

/** Everyone but the viewer. */
export const othersIn = (conversation: Conversation, meId: string): Participant[] =>
  conversation.participants.filter((p) => p.userId !== meId);

/** The person on the other side of a booking or direct chat; null in groups. */
export function counterpart(conversation: Conversation, meId: string): Participant | null {
  if (conversation.kind === 'group') return null;
  return othersIn(conversation, meId)[0] ?? null;
}

/** A conversation's name: its title, else the other people in it. */
export function conversationName(conversation: Conversation, meId: string): string {
  if (conversation.title) return conversation.title;
  const names = othersIn(conversation, meId).map((p) => p.name);
  return names.length > 0 ? names.join(', ') : 'Just you';
}

export const roleLabel = (role: Participant['role']) =>
  role === 'practitioner' ? 'Practitioner' : 'Client';

/**
 * The viewer's conversations, newest activity first: the fetched list with live updates laid
 * over it. An update wins over the list when it arrived after the list was fetched; one
 * marked `removed` hides the conversation.
 */
export function mergeSummaries(
  listed: readonly ConversationSummary[],
  listedAt: number,
  updates: ReadonlyMap<string, { summary: ConversationSummary & { removed?: true }; at: number }>,
): ConversationSummary[] {
  const byId = new Map(listed.map((s) => [s.id, s]));
  const removed = new Set<string>();
  for (const [id, { summary, at }] of updates) {
    if (at < listedAt && byId.has(id)) continue;
    if (summary.removed) {
      removed.add(id);
      byId.delete(id);
    } else {
      byId.set(id, summary);
    }
  }
  return [...byId.values()]
    .filter((s) => !removed.has(s.id))
    .sort(
      (a, b) => b.lastActivityAt.getTime() - a.lastActivityAt.getTime() || (a.id < b.id ? 1 : -1),
    );
}
