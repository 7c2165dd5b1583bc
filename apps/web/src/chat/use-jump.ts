'use client';

import type { Message } from '@estuary/api';
import { useCallback, useEffect, useState } from 'react';

interface Timeline {
  loading: boolean;
  messages: Message[];
  hasOlder: boolean;
  loadingOlder: boolean;
  loadOlder(): unknown;
  oldestSeq: number | null;
}

/** How many pages a jump may load before it gives up (30 a page: 6,000 messages). */
const MAX_PAGES = 200;

/**
 * Jumps to a message by seq (a quoted message, a search hit): loads older pages until it is
 * in the timeline, so the view stays one continuous history, then scrolls it into the middle
 * of the view, focuses it for keyboards and screen readers, and highlights it for a moment.
 */
export function useJump(timeline: Timeline, initialSeq: number | null, ready: boolean) {
  const [target, setTarget] = useState<number | null>(initialSeq);
  const [pages, setPages] = useState(0);
  const [highlighted, setHighlighted] = useState<number | null>(null);
  const [missing, setMissing] = useState(false);
  const { loading, messages, hasOlder, loadingOlder, loadOlder, oldestSeq } = timeline;

  useEffect(() => {
    // Until the first page is in, nothing can be said about where the target is.
    if (target === null || loading || !ready) return;
    if (messages.some((m) => m.seq === target)) {
      const row = document.querySelector<HTMLElement>(`.messages [data-seq="${target}"]`);
      if (!row) return;
      row.scrollIntoView({ block: 'center' });
      row.tabIndex = -1;
      row.focus({ preventScroll: true });
      setHighlighted(target);
      setTarget(null);
      return;
    }
    // Newer than anything shown: the stream is still bringing it (history may come from cache).
    if (target > (messages.at(-1)?.seq ?? 0)) return;
    const loadedPast = oldestSeq !== null && oldestSeq <= target;
    if (loadedPast || !hasOlder || pages >= MAX_PAGES) {
      setMissing(true);
      setTarget(null);
      return;
    }
    if (!loadingOlder) {
      setPages((n) => n + 1);
      void loadOlder();
    }
  }, [target, loading, ready, messages, hasOlder, loadingOlder, loadOlder, oldestSeq, pages]);

  // The highlight fades after a few seconds; the CSS animates it.
  useEffect(() => {
    if (highlighted === null) return;
    const timer = setTimeout(() => setHighlighted(null), 4_000);
    return () => clearTimeout(timer);
  }, [highlighted]);

  const to = useCallback((seq: number) => {
    setMissing(false);
    setPages(0);
    setTarget(seq);
  }, []);
  return { to, highlighted, missing };
}
