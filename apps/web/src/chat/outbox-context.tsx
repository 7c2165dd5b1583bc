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
import { type HeldFile, holdFiles, pruneHeldFiles, releaseFiles } from '../attachments/held-files';
import { heldUploadFailure, uploadHeld } from '../attachments/upload-held';
import { useReachable } from '../lib/connection';
import { errorInfo, isPermanent, userMessage } from '../lib/errors';
import { useMe } from '../lib/session';
import { trpc } from '../lib/trpc';
import { nextToSend, type OutboxEntry, outboxReducer } from './outbox';
import { entriesHoldingFiles, loadOutbox, saveOutbox } from './outbox-storage';

interface Outbox {
  entries: OutboxEntry[];
  send(
    conversationId: string,
    content: string,
    replyToId?: string | null,
    files?: { ids: string[]; names: string[]; held?: HeldFile[] },
  ): void;
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
 * and drains it one message at a time, oldest first, while we are reachable (the socket is
 * up and the browser has a network). Sends are held back otherwise: the server could not
 * tell us they arrived anyway, and the user sees them as queued instead of failing one by
 * one. Files attached offline wait with their message and upload just before its send,
 * which keeps its clientId throughout.
 */
export function OutboxProvider({ children }: { children: ReactNode }) {
  const [entries, dispatch] = useReducer(outboxReducer, []);
  const [pausedUntil, setPausedUntil] = useState(0);
  const online = useReachable();
  const createUpload = trpc.attachment.createUpload.useMutation().mutateAsync;
  const sendMessage = trpc.message.send.useMutation();
  const mutate = sendMessage.mutateAsync;
  const next = nextToSend(entries);
  const userId = useMe().id;
  const [restored, setRestored] = useState(false);

  // Restored after mount, not during render: the server has no localStorage.
  useEffect(() => {
    dispatch({ type: 'restore', entries: loadOutbox(userId) });
    setRestored(true);
    const waiting = entriesHoldingFiles();
    if (waiting) void pruneHeldFiles(waiting);
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
    const filesUp = next.heldFiles
      ? uploadHeld(createUpload, next).then((ids) => {
          dispatch({ type: 'uploaded', clientId, attachmentIds: ids });
          return ids;
        })
      : Promise.resolve(next.attachmentIds);
    filesUp
      .then((attachmentIds) =>
        mutate({
          conversationId,
          clientId,
          content,
          replyToId,
          ...(attachmentIds?.length ? { attachmentIds } : {}),
        }),
      )
      .then(
        (message) => {
          dispatch({ type: 'sent', clientId, message });
          // Whatever the answer carries, the message is in: its held files are done with.
          if (next.heldFiles || message.attachments.length > 0) void releaseFiles(clientId);
        },
        (error: unknown) => {
          const upload = heldUploadFailure(error);
          const shown = upload?.shown ?? userMessage(error);
          if (upload?.permanent || isPermanent(error))
            return dispatch({ type: 'fail', clientId, error: shown });
          const hinted = /retry in (\d+) ms/.exec(errorInfo(error).message);
          setPausedUntil(Date.now() + pauseAfter(next.attempts, hinted ? Number(hinted[1]) : null));
          dispatch({ type: 'requeue', clientId, error: shown });
        },
      );
  }, [online, next, pausedUntil, mutate, createUpload]);

  const send = useCallback(
    (
      conversationId: string,
      content: string,
      replyToId?: string | null,
      files?: { ids: string[]; names: string[]; held?: HeldFile[] },
    ) => {
      const clientId = crypto.randomUUID();
      // Kept in memory at once, so the queue can take them before IndexedDB has them.
      if (files?.held?.length) void holdFiles(clientId, files.held);
      dispatch({
        type: 'enqueue',
        clientId,
        conversationId,
        content,
        at: new Date(),
        replyToId,
        attachmentIds: files?.ids,
        attachmentNames: files?.names,
        heldFiles: files?.held?.length,
      });
    },
    [],
  );
  const retry = useCallback((clientId: string) => dispatch({ type: 'retry', clientId }), []);
  const discard = useCallback((clientId: string) => {
    dispatch({ type: 'discard', clientId });
    void releaseFiles(clientId);
  }, []);
  const confirm = useCallback((message: Message) => {
    dispatch({ type: 'sent', clientId: message.clientId, message });
    if (message.attachments.length > 0) void releaseFiles(message.clientId);
  }, []);
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
