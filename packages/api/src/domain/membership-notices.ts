import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps';
import { sendSystemMessage } from './system-messages';

/** What a group's timeline says when its people or its name change ("Ada added Ben"). */
export type MembershipChange =
  | { kind: 'added'; by: string; who: string }
  | { kind: 'removed'; by: string; who: string }
  | { kind: 'left'; who: string }
  | { kind: 'renamed'; by: string; title: string };

export function membershipNotice(change: MembershipChange): string {
  switch (change.kind) {
    case 'added':
      return `${change.by} added ${change.who}`;
    case 'removed':
      return `${change.by} removed ${change.who}`;
    case 'left':
      return `${change.who} left`;
    case 'renamed':
      return `${change.by} renamed the group “${change.title}”`;
  }
}

/**
 * Posts the change as a system message, after it committed: everyone still in the group sees
 * it live and in history; someone removed is already cut off and does not.
 */
export async function announceMembershipChange(
  deps: Deps,
  conversationId: string,
  change: MembershipChange,
) {
  await sendSystemMessage(deps, {
    conversationId,
    clientId: randomUUID(),
    content: membershipNotice(change),
  });
}
