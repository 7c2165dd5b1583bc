'use client';

import { type RefObject, useCallback, useLayoutEffect, useRef, useState } from 'react';

/** Within this many pixels of the end counts as "at the bottom". */
const NEAR_BOTTOM_PX = 48;

interface Edges {
  /** Key of the first and last row: they change when older pages load or new rows arrive. */
  first: string | undefined;
  last: string | undefined;
  /** The last row is the user's own: always follow what they just sent. */
  lastIsMine: boolean;
}

/**
 * Scrolling for a chat log. It follows new messages only when the user is already at the
 * bottom (otherwise it counts them for a "New messages" button), and keeps the view still
 * when older messages are inserted above. The container sets `overflow-anchor: none`, so
 * the browser's own scroll anchoring does not adjust a second time.
 */
export function useChatScroll(
  ref: RefObject<HTMLElement | null>,
  { first, last, lastIsMine }: Edges,
) {
  const atBottom = useRef(true);
  const height = useRef(0);
  const edges = useRef<{ first?: string; last?: string }>({});
  const [unseen, setUnseen] = useState(0);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    height.current = el.scrollHeight;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    if (atBottom.current) setUnseen(0);
  }, [ref]);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const before = edges.current;
    if (before.last === undefined || before.last !== last) {
      if (before.last === undefined || atBottom.current || lastIsMine) {
        el.scrollTop = el.scrollHeight;
        atBottom.current = true;
      } else {
        setUnseen((n) => n + 1);
      }
    } else if (before.first !== first) {
      // Older rows went in above: move down by exactly what they added.
      el.scrollTop += el.scrollHeight - height.current;
    }
    edges.current = { first, last };
    height.current = el.scrollHeight;
  }, [ref, first, last, lastIsMine]);

  const toBottom = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    el.scrollTo({ top: el.scrollHeight, behavior: still ? 'auto' : 'smooth' });
    setUnseen(0);
  }, [ref]);

  return { onScroll, unseen, toBottom };
}

/**
 * The seq of the lowest message row that shows in the container, at least in part. Rows
 * carry `data-seq`; the search runs from the end, where the reader almost always is.
 */
export function lastVisibleSeq(container: HTMLElement): number {
  const bottom = container.getBoundingClientRect().bottom;
  const rows = container.querySelectorAll<HTMLElement>('[data-seq]');
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i];
    if (row && row.getBoundingClientRect().top < bottom - 8) return Number(row.dataset.seq);
  }
  return 0;
}
