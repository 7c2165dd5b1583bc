import type { AppRouter, Message, MessageEvent } from '@estuary/api';
import { STALE_EVENT_ID } from '@estuary/api/client-constants';
import { type TRPCClient, TRPCClientError } from '@trpc/client';
import { DeliveryMarker } from './delivery';

// The one resume loop, for Node and browsers alike (`@estuary/client/follow`): nothing here
// may import Node modules or read the process environment, because the web app bundles it.

/**
 * Delay before retry N (0-based): at once, then about 1, 2, 4 and 8 s, and 10 s from then on.
 * Jitter (up to a quarter less) keeps a thousand clients of a restarted node from knocking
 * at the same instant.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  if (attempt <= 0) return 0;
  const base = Math.min(10_000, 1_000 * 2 ** (attempt - 1));
  return Math.round(base * (1 - random() * 0.25));
}

/** Codes that no retry will change: the stream stops and says so (`onFatal`). */
export const FATAL_CODES: ReadonlySet<string> = new Set([
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
]);

/** Waits `ms`, or less if `signal` aborts first. A waiting retry keeps no Node process alive. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    (timer as { unref?: () => void }).unref?.();
    signal.addEventListener('abort', done);
  });
}

/** What the loop needs of a client: the batched stream. Any tRPC client of AppRouter has it. */
export type EventStreamClient = {
  message: { onEvents: Pick<TRPCClient<AppRouter>['message']['onEvents'], 'subscribe'> };
};

export interface FollowEventsOptions {
  conversationId: string;
  /** Resume after this event id. Null: call `refetch` first. */
  lastEventId: string | null;
  /**
   * Load history afresh and resolve to the event id it ends at. Called at first without a
   * `lastEventId`, and whenever the server says ours is too old to resume from. `signal`
   * aborts when the stream is closed.
   */
  refetch: (signal: AbortSignal) => Promise<string>;
  /** A batch of events; their ids are consecutive and end at `lastEventId`. */
  onEvents: (events: MessageEvent[], lastEventId: string) => void;
  /** A failure no retry will get past (FATAL_CODES). The stream has stopped. */
  onFatal?: (error: Error) => void;
  /** Default `backoffDelay`. */
  retryDelayMs?: (attempt: number) => number;
  /** How to wait between attempts (tests pass one that records the delays). Default `sleep`. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The clock that tells a steady stream from a flapping one (tests). Default `Date.now`. */
  now?: () => number;
}

/**
 * A stream that delivered and then stayed up this long earns a fresh start of the backoff;
 * one that fails soon after each replay keeps backing off instead of restarting at once.
 */
export const STEADY_MS = 10_000;

export interface FollowHandle {
  readonly lastEventId: string | null;
  close(): void;
}

/**
 * Keeps one conversation's `message.onEvents` stream going. It tracks `lastEventId` (tRPC
 * resends it on every reconnect of the socket, so the server replays what was missed),
 * subscribes again from it with backoff if the stream ends, refetches history when the
 * server can no longer resume from that id, and stops on a fatal code.
 */
export function followEvents(
  client: EventStreamClient,
  options: FollowEventsOptions,
): FollowHandle {
  const delay = options.retryDelayMs ?? backoffDelay;
  const wait = options.sleep ?? sleep;
  const now = options.now ?? Date.now;
  const stop = new AbortController();
  let lastEventId = options.lastEventId;
  let attempt = 0;

  /** One subscription, until it ends or the loop closes; resolves to its error, if any. */
  const stream = (from: string) =>
    new Promise<unknown>((resolve) => {
      let ended = false;
      const openedAt = now();
      let delivered = false;
      // `end` may run before subscribe returns (a synchronous error): `subscription` is a let.
      const end = (error?: unknown) => {
        if (ended) return;
        ended = true;
        if (delivered && now() - openedAt >= STEADY_MS) attempt = 0;
        stop.signal.removeEventListener('abort', end);
        subscription?.unsubscribe();
        resolve(error);
      };
      let subscription: { unsubscribe(): void } | undefined;
      stop.signal.addEventListener('abort', end);
      subscription = client.message.onEvents.subscribe(
        { conversationId: options.conversationId, lastEventId: from },
        {
          onData({ id, data }) {
            if (ended) return;
            delivered = true;
            lastEventId = id;
            options.onEvents(data.events, id);
          },
          onError: end,
          onComplete: () => end(),
        },
      );
      if (ended) subscription.unsubscribe();
    });

  async function run() {
    while (!stop.signal.aborted) {
      let error: unknown;
      if (lastEventId === null) {
        try {
          lastEventId = await options.refetch(stop.signal);
          continue; // history is in: stream from where it ends, at once
        } catch (failure) {
          error = failure;
        }
      } else {
        error = await stream(lastEventId);
      }
      if (stop.signal.aborted) return;
      const { code, reason } = codeAndReason(error);
      if (reason === STALE_EVENT_ID) lastEventId = null;
      else if (code !== undefined && FATAL_CODES.has(code)) {
        stop.abort();
        options.onFatal?.(error as Error);
        return;
      }
      await wait(delay(attempt++), stop.signal);
    }
  }

  void run();
  return {
    get lastEventId() {
      return lastEventId;
    },
    close: () => stop.abort(),
  };
}

/** The tRPC code and our `reason` of a server's answer; transport errors carry neither. */
export function codeAndReason(error: unknown): { code?: string; reason?: string } {
  if (!(error instanceof TRPCClientError)) return {};
  const data = error.data as { code?: string; reason?: string } | undefined;
  return { code: data?.code, reason: data?.reason };
}

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

/** `followEvents` with history from `message.list`, an id per event, and delivered receipts. */
export function followConversation(
  client: TRPCClient<AppRouter>,
  options: FollowOptions,
): FollowHandle {
  const { conversationId } = options;
  const marker =
    options.markDelivered instanceof DeliveryMarker
      ? options.markDelivered
      : options.markDelivered === false
        ? null
        : new DeliveryMarker((id, seq) =>
            client.receipt.markDelivered.mutate({ conversationId: id, seq }),
          );
  const delivered = (seq: number | undefined) => {
    if (seq !== undefined) marker?.note(conversationId, seq);
  };
  const follow = followEvents(client, {
    conversationId,
    lastEventId: options.lastEventId ?? null,
    retryDelayMs: options.retryDelayMs,
    onFatal: options.onFatal,
    async refetch(signal) {
      const page = await client.message.list.query({ conversationId }, { signal });
      if (signal.aborted) return page.lastEventId;
      options.onHistory?.(page);
      delivered(page.items.at(-1)?.seq);
      return page.lastEventId;
    },
    onEvents(events, lastEventId) {
      const last = Number(lastEventId);
      events.forEach((event, i) => {
        options.onEvent(event, String(last - (events.length - 1 - i)));
        if (event.type === 'message.created') delivered(event.message.seq);
      });
    },
  });
  return {
    get lastEventId() {
      return follow.lastEventId;
    },
    close() {
      follow.close();
      if (marker && marker !== options.markDelivered) marker.close();
    },
  };
}
