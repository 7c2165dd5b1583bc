'use client';

import type { ConversationSummary } from '@estuary/api';
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import { trpc } from '../lib/trpc';
import { mergeSummaries } from './display';

type Update = { summary: ConversationSummary & { removed?: true }; at: number };

interface Conversations {
  items: ConversationSummary[];
  loading: boolean;
  error: string | null;
  hasMore: boolean;
  loadMore(): void;
  unread: number;
}

const ConversationsContext = createContext<Conversations | null>(null);

/**
 * The viewer's conversations, kept live by `conversation.onUpdate`. It sits in the app shell
 * so the subscription (and with it the socket, and the user's presence) lives on every page.
 */
export function ConversationsProvider({ children }: { children: ReactNode }) {
  const list = trpc.conversation.list.useInfiniteQuery(
    { limit: 30 },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const [updates, setUpdates] = useState<ReadonlyMap<string, Update>>(() => new Map());
  trpc.conversation.onUpdate.useSubscription(undefined, {
    onData(summary) {
      setUpdates((map) => new Map(map).set(summary.id, { summary, at: Date.now() }));
    },
  });

  const pages = list.data?.pages;
  const { dataUpdatedAt: listedAt, isPending, error, hasNextPage, fetchNextPage } = list;
  const value = useMemo<Conversations>(() => {
    const items = mergeSummaries(
      (pages ?? []).flatMap((p) => p.items),
      listedAt,
      updates,
    );
    return {
      items,
      loading: isPending,
      error: error?.message ?? null,
      hasMore: hasNextPage,
      loadMore: () => void fetchNextPage(),
      unread: items.reduce((n, s) => n + s.unreadCount, 0),
    };
  }, [pages, listedAt, updates, isPending, error, hasNextPage, fetchNextPage]);
  return <ConversationsContext.Provider value={value}>{children}</ConversationsContext.Provider>;
}

export function useConversations(): Conversations {
  const value = useContext(ConversationsContext);
  if (!value) throw new Error('useConversations() outside <ConversationsProvider>');
  return value;
}
