import type { Message, MessageEvent } from '@estuary/api';
import { STALE_EVENT_ID } from '@estuary/api/client-constants';
import { TRPCClientError } from '@trpc/client';
import type { ChatClient } from './client';
import { defaultRetryDelay } from './client';
import { DeliveryMarker } from './delivery';

export interface FollowOptions {
  conversationId: string;
  /** Resume after this event id. Without it, history is fetched first (see `onHistory`). */
  lastEventId?: string | null;
  onEvent: (event: MessageEvent, eventId: string) => void;
  /**
   * The newest page of history, when the stream (re)starts from scratch: at first without a
   * `lastEventId`, and whenever the server says the id is too old to resume from. Replace
   * what you hold with it; events continue from there without a gap.
   */
  onHistory?: (page: { items: Message[]; lastEventId: string }) => void;
  /** A failure the stream cannot get past (no access, signed out). The stream has stopped. */
  onFatal?: (error: Error) => void;
  retryDelayMs?: (attempt: number) => number;
  /**
   * Tell the server which messages reached this client (`receipt.markDelivered`, batched).
   * Default true; pass a shared DeliveryMarker to batch across conversations, or false.
   */
  markDelivered?: boolean | DeliveryMarker;
}

export interface FollowHandle {
  readonly lastEventId: string | null;
  close(): void;
}

const FATAL = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHORIZED', 'BAD_REQUEST']);

/**
 * Keeps a resumable stream of one conversation: it tracks `lastEventId` (tRPC resends it on
 * every reconnect of the socket), restarts the subscription with backoff if it ends, and
 * refetches history when the server can no longer resume from the id it holds.
 */
export function followConversation(client: ChatClient, options: FollowOptions): FollowHandle {
  let lastEventId = options.lastEventId ?? null;
  let closed = false;
  let attempt = 0;
  let subscription: { unsubscribe(): void } | null = null;
  const delay = options.retryDelayMs ?? defaultRetryDelay;
  const marker =
    options.markDelivered instanceof DeliveryMarker
      ? options.markDelivered
      : options.markDelivered === false
        ? null
        : new DeliveryMarker((conversationId, seq) =>
            client.receipt.markDelivered.mutate({ conversationId, seq }),
          );
  const delivered = (seq: number | undefined) => {
    if (seq !== undefined) marker?.note(options.conversationId, seq);
  };

  const restart = () => {
    subscription?.unsubscribe();
    subscription = null;
    if (closed) return;
    setTimeout(() => void start(), delay(++attempt)).unref?.();
  };

  async function start() {
    if (closed) return;
    if (lastEventId === null) {
      try {
        const page = await client.message.list.query({ conversationId: options.conversationId });
        if (closed) return;
        lastEventId = page.lastEventId;
        options.onHistory?.(page);
        delivered(page.items.at(-1)?.seq);
      } catch (error) {
        return fail(error);
      }
    }
    // The batched stream: under load, whatever queued up arrives in one frame. A batch's
    // events have consecutive ids ending at the batch's id.
    subscription = client.message.onEvents.subscribe(
      { conversationId: options.conversationId, lastEventId },
      {
        onData({ id, data }) {
          attempt = 0;
          lastEventId = id;
          const last = Number(id);
          data.events.forEach((event, i) => {
            options.onEvent(event, String(last - (data.events.length - 1 - i)));
            if (event.type === 'message.created') delivered(event.message.seq);
          });
        },
        onError: (error) => fail(error),
        onComplete: () => restart(),
      },
    );
  }

  function fail(error: unknown) {
    const code =
      error instanceof TRPCClientError ? (error.data?.code as string | undefined) : undefined;
    const reason =
      error instanceof TRPCClientError ? (error.data?.reason as string | undefined) : undefined;
    if (reason === STALE_EVENT_ID) {
      lastEventId = null;
      return restart();
    }
    if (code && FATAL.has(code)) {
      closed = true;
      subscription?.unsubscribe();
      options.onFatal?.(error as Error);
      return;
    }
    restart();
  }

  void start();
  return {
    get lastEventId() {
      return lastEventId;
    },
    close() {
      closed = true;
      subscription?.unsubscribe();
      if (marker && marker !== options.markDelivered) marker.close();
    },
  };
}
