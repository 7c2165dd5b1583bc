'use client';

import { useCallback, useEffect, useRef } from 'react';
import { trpc } from '../lib/trpc';

const pageFocused = () => document.visibilityState === 'visible' && document.hasFocus();

/**
 * Marks messages read as they are seen: only while the tab is visible and focused, never
 * backwards, and at most one request per 400 ms. Returns `seen(seq)`, which the list calls
 * with the highest seq on screen.
 */
export function useMarkRead(conversationId: string, watermark: number) {
  const { mutate } = trpc.receipt.markRead.useMutation();
  const highest = useRef(0);
  const sent = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // A ref, so a moving watermark does not re-create the callbacks and drop a pending flush.
  const known = useRef(watermark);
  useEffect(() => {
    known.current = watermark;
  }, [watermark]);

  const flush = useCallback(() => {
    timer.current = undefined;
    const seq = highest.current;
    if (seq <= Math.max(sent.current, known.current) || !pageFocused()) return;
    sent.current = seq;
    mutate(
      { conversationId, seq },
      {
        onError: () => {
          // Let the next sighting try again.
          sent.current = 0;
        },
      },
    );
  }, [conversationId, mutate]);

  const schedule = useCallback(() => {
    timer.current ??= setTimeout(flush, 400);
  }, [flush]);

  const seen = useCallback(
    (seq: number) => {
      if (seq <= highest.current) return;
      highest.current = seq;
      schedule();
    },
    [schedule],
  );

  // Messages that arrived while the tab was in the background count once it is back.
  useEffect(() => {
    window.addEventListener('focus', schedule);
    document.addEventListener('visibilitychange', schedule);
    return () => {
      window.removeEventListener('focus', schedule);
      document.removeEventListener('visibilitychange', schedule);
      clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [schedule]);

  return seen;
}
