'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { useConnection } from '../lib/connection';
import { trpc } from '../lib/trpc';

/** The server keeps a typing state 5 s; refreshing every 2.5 s keeps it alive with margin. */
const REFRESH_MS = 2_500;
/** Stop announcing after this long without a keystroke. */
const IDLE_MS = 4_000;
/** A typist we never hear "stopped" from (a lost event) is dropped after this. */
const SAFETY_MS = 7_000;

/**
 * Announces our typing, throttled: at most one `typing.set(true)` per 2.5 s while keys are
 * pressed, and one `typing.set(false)` on send, on clearing the text, or after 4 s idle.
 */
export function useTypingAnnouncer(conversationId: string) {
  const { mutate } = trpc.typing.set.useMutation();
  const lastTrue = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const stop = useCallback(() => {
    clearTimeout(idle.current);
    if (lastTrue.current === 0) return;
    lastTrue.current = 0;
    mutate({ conversationId, isTyping: false });
  }, [conversationId, mutate]);

  const typed = useCallback(
    (text: string) => {
      if (text.trim() === '') return stop();
      clearTimeout(idle.current);
      idle.current = setTimeout(stop, IDLE_MS);
      if (Date.now() - lastTrue.current < REFRESH_MS) return;
      lastTrue.current = Date.now();
      mutate({ conversationId, isTyping: true });
    },
    [conversationId, mutate, stop],
  );

  useEffect(() => stop, [stop]);
  return { typed, stop };
}

/** The first names of the others typing now, in the order they started. */
export function useTypists(conversationId: string): string[] {
  const [typists, setTypists] = useState<Map<string, string>>(() => new Map());
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const { reconnects } = useConnection();

  const remove = useCallback((userId: string) => {
    clearTimeout(timers.current.get(userId));
    timers.current.delete(userId);
    setTypists((map) => {
      if (!map.has(userId)) return map;
      const next = new Map(map);
      next.delete(userId);
      return next;
    });
  }, []);

  trpc.typing.onChange.useSubscription(
    { conversationId },
    {
      onData(change) {
        if (!change.isTyping) return remove(change.userId);
        clearTimeout(timers.current.get(change.userId));
        timers.current.set(
          change.userId,
          setTimeout(() => remove(change.userId), SAFETY_MS),
        );
        setTypists((map) => new Map(map).set(change.userId, change.name.split(' ')[0] ?? ''));
      },
    },
  );

  // Typing is ephemeral and not replayed: after a reconnect, forget who was typing.
  useEffect(() => {
    if (reconnects === 0) return;
    for (const userId of timers.current.keys()) remove(userId);
  }, [reconnects, remove]);
  useEffect(() => {
    const all = timers.current;
    return () => {
      for (const timer of all.values()) clearTimeout(timer);
    };
  }, []);

  return [...typists.values()];
}
