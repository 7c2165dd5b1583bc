'use client';

import type { Message } from '@estuary/api';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useReducer,
  useState,
} from 'react';
import { useConnection } from '../lib/connection';
import { errorInfo, isPermanent, userMessage } from '../lib/errors';
import { useMe } from '../lib/session';
import { trpc } from '../lib/trpc';
import { nextToSend, type OutboxEntry, outboxReducer } from './outbox';
import { loadOutbox, saveOutbox } from './outbox-storage';

interface Outbox {
  entries: OutboxEntry[];
  send(conversationId: string, content: string, replyToId?: string | null): void;
  retry(clientId: string): void;
  /** The stream delivered it: whatever its request says, it is sent. */
  confirm(message: Message): void;
  discard(clientId: string): void;
}

const OutboxContext = createContext<Outbox | null>(null);

/** Pause after a transient failure before the queue moves again, growing with attempts. */
const pauseAfter = (attempts: number, retryAfterMs: number | null) =>
  retryAfterMs ?? Math.min(8_000, 500 * 2 ** attempts);

/**
 * Holds the outbox above the pages, so a queued message survives switching conversations,
 * and drains it one message at a time, oldest first, while the socket is up. Sends are
 * held back while the socket is down: the server could not tell us they arrived anyway, and
 * the user sees them as queued instead of failing one by one.
 */
export function OutboxProvider({ children }: { children: ReactNode }) {
  const [entries, dispatch] = useReducer(outboxReducer, []);
  const [pausedUntil, setPausedUntil] = useState(0);
  const online = useConnection().state === 'open';
  const sendMessage = trpc.message.send.useMutation();
  const mutate = sendMessage.mutateAsync;
  const next = nextToSend(entries);
  const userId = useMe().id;
  const [restored, setRestored] = useState(false);

  // Restored after mount, not during render: the server has no localStorage.
  useEffect(() => {
    dispatch({ type: 'restore', entries: loadOutbox(userId) });
    setRestored(true);
  }, [userId]);
  useEffect(() => {
    if (restored) saveOutbox(userId, entries);
  }, [restored, userId, entries]);

  useEffect(() => {
    if (!online || !next) return;
    const wait = pausedUntil - Date.now();
    if (wait > 0) {
      const timer = setTimeout(() => setPausedUntil(0), wait);
      return () => clearTimeout(timer);
    }
    const { clientId, conversationId, content, replyToId } = next;
    dispatch({ type: 'start', clientId });
    mutate({ conversationId, clientId, content, replyToId }).then(
      (message) => dispatch({ type: 'sent', clientId, message }),
      (error: unknown) => {
        const shown = userMessage(error);
        if (isPermanent(error)) return dispatch({ type: 'fail', clientId, error: shown });
        const hinted = /retry in (\d+) ms/.exec(errorInfo(error).message);
        setPausedUntil(Date.now() + pauseAfter(next.attempts, hinted ? Number(hinted[1]) : null));
        dispatch({ type: 'requeue', clientId, error: shown });
      },
    );
  }, [online, next, pausedUntil, mutate]);

  const send = useCallback((conversationId: string, content: string, replyToId?: string | null) => {
    const clientId = crypto.randomUUID();
    dispatch({ type: 'enqueue', clientId, conversationId, content, at: new Date(), replyToId });
  }, []);
  const retry = useCallback((clientId: string) => dispatch({ type: 'retry', clientId }), []);
  const discard = useCallback((clientId: string) => dispatch({ type: 'discard', clientId }), []);
  const confirm = useCallback(
    (message: Message) => dispatch({ type: 'sent', clientId: message.clientId, message }),
    [],
  );
  const value = useMemo(
    () => ({ entries, send, retry, discard, confirm }),
    [entries, send, retry, discard, confirm],
  );
  return <OutboxContext.Provider value={value}>{children}</OutboxContext.Provider>;
}

export function useOutbox(): Outbox {
  const outbox = useContext(OutboxContext);
  if (!outbox) throw new Error('useOutbox() outside <OutboxProvider>');
  return outbox;
}

/** This conversation's part of the outbox, in the order written. */
export function useConversationOutbox(conversationId: string): OutboxEntry[] {
  const { entries } = useOutbox();
  return useMemo(
    () => entries.filter((e) => e.conversationId === conversationId),
    [entries, conversationId],
  );
}
