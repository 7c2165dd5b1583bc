'use client';

import type { Message, MessageEvent } from '@estuary/api';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { trpc } from '../lib/trpc';
import { useConversationOutbox, useOutbox } from './outbox-context';
import { mergeMessages, upsertMessage } from './timeline';
import { useMessageStream } from './use-message-stream';

const PAGE_SIZE = 30;

/**
 * A conversation's messages: pages of history (newest first, older ones on demand), merged
 * with live events and with the user's own confirmed sends, deduplicated by id. The stream
 * starts from the `lastEventId` of the first page, so nothing is missed or doubled.
 */
export function useTimeline(conversationId: string) {
  const utils = trpc.useUtils();
  const input = useMemo(() => ({ conversationId, limit: PAGE_SIZE }), [conversationId]);
  const history = trpc.message.list.useInfiniteQuery(input, {
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // The stream keeps history current; a refetch would only move the resume point.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnReconnect: false,
  });
  const [live, setLive] = useState<Message[]>([]);
  const [from, setFrom] = useState<string | null>(null);
  const firstPage = history.data?.pages[0];
  // The stream starts once, from the first history load; after that it keeps its own place.
  if (from === null && firstPage) setFrom(firstPage.lastEventId);

  // Reactions change no timestamp, so the merge above cannot order them: the latest word on a
  // message's reactions (events come in order; a mutation's answer is at least that fresh) is
  // laid over whatever version of the message is shown.
  const [reactions, setReactions] = useState<ReadonlyMap<string, Message['reactions']>>(new Map());
  const noteReactions = useCallback((message: Message) => {
    setReactions((map) => new Map(map).set(message.id, message.reactions));
  }, []);
  const onEvent = useCallback(
    (event: MessageEvent) => {
      noteReactions(event.message);
      setLive((list) => upsertMessage(list, event.message));
    },
    [noteReactions],
  );
  // The server can no longer resume from our id: drop what streamed, reload the newest page
  // (older ones load again on demand) and stream on from where it ends.
  const refetch = useCallback(async () => {
    setLive([]);
    await utils.message.list.reset(input);
    const page = utils.message.list.getInfiniteData(input)?.pages[0];
    if (!page) throw new Error('History did not load');
    return page.lastEventId;
  }, [utils, input]);
  const { fatal } = useMessageStream({ conversationId, from, onEvent, refetch });

  const outbox = useConversationOutbox(conversationId);
  const pages = history.data?.pages;
  const messages = useMemo(() => {
    const fromHistory = (pages ?? []).flatMap((p) => p.items);
    const confirmed = outbox.flatMap((e) => (e.message ? [e.message] : []));
    return mergeMessages(fromHistory, live, confirmed).map((m) => {
      const latest = reactions.get(m.id);
      return latest && latest !== m.reactions ? { ...m, reactions: latest } : m;
    });
  }, [pages, live, outbox, reactions]);
  const pending = useMemo(() => {
    const known = new Set(messages.map((m) => m.clientId));
    return outbox.filter((e) => e.status !== 'sent' && !known.has(e.clientId));
  }, [messages, outbox]);

  // A send whose answer was lost still shows up in the stream: settle its outbox entry, so
  // it is neither retried nor kept for the next page load.
  const { confirm } = useOutbox();
  useEffect(() => {
    const waiting = new Set(outbox.filter((e) => e.status !== 'sent').map((e) => e.clientId));
    if (waiting.size === 0) return;
    for (const message of live) if (waiting.has(message.clientId)) confirm(message);
  }, [live, outbox, confirm]);

  /** Applies a mutation's result at once, without waiting for its event. */
  const apply = useCallback(
    (message: Message) => {
      noteReactions(message);
      setLive((l) => upsertMessage(l, message));
    },
    [noteReactions],
  );

  return {
    messages,
    pending,
    apply,
    loading: history.isPending,
    error: fatal ?? history.error?.message ?? null,
    hasOlder: history.hasNextPage,
    loadingOlder: history.isFetchingNextPage,
    loadOlder: history.fetchNextPage,
    /** The seq of the oldest loaded message, to know whether a jump needs more history. */
    oldestSeq: fromHistoryOldest(pages),
  };
}

const fromHistoryOldest = (pages: readonly { items: Message[] }[] | undefined) =>
  pages?.at(-1)?.items[0]?.seq ?? null;
