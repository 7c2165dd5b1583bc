import { GAP } from '@estuary/realtime';
import { loadConversation } from '../domain/conversations';
import { conversationIdsOf, summariesFor } from '../domain/summaries';
import type { ConversationSummary, User } from '../domain/types';
import { topics, type UserBusEvent } from '../events';
import type { ChatServices } from '../services';
import { CLOSED, LiveQueue, RESYNC } from './queue';

const SUMMARY_DEBOUNCE_MS = 100;

/**
 * `conversation.onUpdate`: a fresh summary of each of the caller's conversations that changes
 * (a message, an edit, its own read state, membership). Changes within 100 ms are summarised
 * once. A conversation the caller leaves is sent one last time with `removed: true`.
 */
export async function* conversationUpdates(
  services: ChatServices,
  user: User,
  signal: AbortSignal,
): AsyncGenerator<ConversationSummary & { removed?: true }> {
  const { bus, db } = services.deps;
  const queue = new LiveQueue<ConversationSummary & { removed?: true }>(signal, 1_000);
  const following = new Map<string, () => void>();
  const dirty = new Set<string>();
  let timer: NodeJS.Timeout | null = null;

  const flush = async () => {
    timer = null;
    const ids = [...dirty].filter((id) => following.has(id));
    dirty.clear();
    try {
      for (const summary of await summariesFor(db, user.id, ids)) queue.push(summary);
    } catch (error) {
      services.deps.log('warn', 'conversation summary failed', { error: String(error) });
    }
  };
  const touch = (id: string) => {
    dirty.add(id);
    timer ??= setTimeout(() => void flush(), SUMMARY_DEBOUNCE_MS);
  };
  const touchAll = () => {
    for (const id of following.keys()) touch(id);
  };
  const follow = (id: string) => {
    if (following.has(id)) return;
    const listeners = [
      bus.listen(topics.messages(id), (p) => (p === GAP ? touchAll() : touch(id))),
      bus.listen(topics.members(id), (p) => (p === GAP ? touchAll() : touch(id))),
    ];
    following.set(id, () => {
      for (const unlisten of listeners) unlisten();
    });
  };
  const unfollow = async (id: string) => {
    following.get(id)?.();
    following.delete(id);
    try {
      const conversation = await loadConversation(db, id);
      queue.push({
        ...conversation,
        lastMessage: null,
        unreadCount: 0,
        muted: false,
        removed: true,
      });
    } catch {}
  };

  const unlistenUser = bus.listen(topics.user(user.id), (payload) => {
    if (payload === GAP) return touchAll();
    const change = payload as UserBusEvent;
    if (change.type === 'conversation.removed') void unfollow(change.conversationId);
    else {
      follow(change.conversationId);
      touch(change.conversationId);
    }
  });
  try {
    for (const id of await conversationIdsOf(db, user.id)) follow(id);
    for (;;) {
      const item = await queue.next();
      if (item === CLOSED) return;
      if (item === RESYNC) {
        touchAll();
        continue;
      }
      yield item;
    }
  } finally {
    unlistenUser();
    if (timer) clearTimeout(timer);
    for (const unlisten of following.values()) unlisten();
    queue.dispose();
  }
}
