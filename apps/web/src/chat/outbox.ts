import type { Message } from '@estuary/api';

/**
 * Messages the user wrote that the server has not confirmed yet, in the order written.
 * Each keeps its client-generated `clientId` for life: every retry sends the same one, and
 * `message.send` is idempotent on it, so a retry after a lost response never duplicates.
 *
 * queued  → waiting for a connection (or for its turn)
 * sending → a request is in flight
 * failed  → the server refused it, or retries ran out; the user may retry or discard
 * sent    → confirmed; kept with the server's message until the timeline has it
 */
export type OutboxStatus = 'queued' | 'sending' | 'failed' | 'sent';

export interface OutboxEntry {
  clientId: string;
  conversationId: string;
  content: string;
  createdAt: Date;
  status: OutboxStatus;
  /** Automatic retries after transient failures (network, rate limit). */
  attempts: number;
  error: string | null;
  message: Message | null;
  /** The message this one replies to, if any. */
  replyToId?: string | null;
  /** v2: files already uploaded for this message, and their names to show while pending. */
  attachmentIds?: string[];
  attachmentNames?: string[];
  /**
   * Files attached while offline, kept in IndexedDB under this clientId (held-files.ts):
   * they upload when the connection is back, just before the send, which then carries them.
   */
  heldFiles?: number;
}

export type OutboxAction =
  | {
      type: 'enqueue';
      clientId: string;
      conversationId: string;
      content: string;
      at: Date;
      replyToId?: string | null;
      attachmentIds?: string[];
      attachmentNames?: string[];
      heldFiles?: number;
    }
  | { type: 'restore'; entries: OutboxEntry[] }
  | { type: 'uploaded'; clientId: string; attachmentIds: string[] }
  | { type: 'start'; clientId: string }
  | { type: 'sent'; clientId: string; message: Message }
  | { type: 'requeue'; clientId: string; error: string }
  | { type: 'fail'; clientId: string; error: string }
  | { type: 'retry'; clientId: string }
  | { type: 'discard'; clientId: string };

/** Transient failures are retried this many times before the entry is marked failed. */
export const MAX_ATTEMPTS = 5;
/** Confirmed entries kept around; older ones are long since in the timeline. */
const KEEP_SENT = 200;

function patch(state: OutboxEntry[], clientId: string, change: Partial<OutboxEntry>) {
  return state.map((e) => (e.clientId === clientId ? { ...e, ...change } : e));
}

export function outboxReducer(state: OutboxEntry[], action: OutboxAction): OutboxEntry[] {
  switch (action.type) {
    case 'enqueue': {
      if (state.some((e) => e.clientId === action.clientId)) return state;
      const { clientId, conversationId, content, at } = action;
      const entry: OutboxEntry = {
        clientId,
        conversationId,
        content,
        createdAt: at,
        status: 'queued',
        attempts: 0,
        error: null,
        message: null,
        replyToId: action.replyToId ?? null,
      };
      if (action.attachmentIds?.length || action.heldFiles) {
        entry.attachmentIds = action.attachmentIds ?? [];
        entry.attachmentNames = action.attachmentNames ?? [];
      }
      if (action.heldFiles) entry.heldFiles = action.heldFiles;
      return [...state, entry];
    }
    case 'restore': {
      const known = new Set(state.map((e) => e.clientId));
      const restored = action.entries.filter((e) => !known.has(e.clientId));
      if (restored.length === 0) return state;
      return [...restored, ...state].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    }
    case 'start':
      return patch(state, action.clientId, { status: 'sending', error: null });
    case 'uploaded':
      // The held files are on the server now: a retry sends these ids, it does not upload again.
      return patch(state, action.clientId, {
        attachmentIds: action.attachmentIds,
        heldFiles: undefined,
      });
    case 'sent': {
      const next = patch(state, action.clientId, { status: 'sent', message: action.message });
      const sent = next.filter((e) => e.status === 'sent');
      if (sent.length <= KEEP_SENT) return next;
      const drop = new Set(sent.slice(0, sent.length - KEEP_SENT).map((e) => e.clientId));
      return next.filter((e) => !drop.has(e.clientId));
    }
    case 'requeue': {
      const entry = state.find((e) => e.clientId === action.clientId);
      // The stream may have shown it arrived while the request was failing.
      if (!entry || entry.status === 'sent') return state;
      const attempts = entry.attempts + 1;
      return patch(state, action.clientId, {
        status: attempts >= MAX_ATTEMPTS ? 'failed' : 'queued',
        attempts,
        error: action.error,
      });
    }
    case 'fail':
      if (state.some((e) => e.clientId === action.clientId && e.status === 'sent')) return state;
      return patch(state, action.clientId, { status: 'failed', error: action.error });
    case 'retry':
      return patch(state, action.clientId, { status: 'queued', attempts: 0, error: null });
    case 'discard':
      return state.filter((e) => e.clientId !== action.clientId || e.status === 'sent');
  }
}

/** The next entry to send: the oldest queued one, and none while another is in flight. */
export function nextToSend(state: readonly OutboxEntry[]): OutboxEntry | null {
  if (state.some((e) => e.status === 'sending')) return null;
  return state.find((e) => e.status === 'queued') ?? null;
}
