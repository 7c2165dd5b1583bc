import { GAP } from '@estuary/realtime';
import { type TrackedEnvelope, tracked } from '@trpc/server';
import { loadConversation, participantIds, requireParticipant } from '../domain/conversations';
import { forbidden } from '../domain/errors';
import { loadEventsAfter, resumePoint } from '../domain/messages';
import { conversationIdsOf, summariesFor } from '../domain/summaries';
import type {
  ConversationSummary,
  MessageEvent,
  PresenceState,
  Receipt,
  TypingChange,
  User,
} from '../domain/types';
import type { ChatServices } from '../services';
import { CLOSED, LiveQueue, RESYNC } from './queue';
import type {
  MembersBusEvent,
  MessageBusEvent,
  PresenceBusEvent,
  ReceiptBusEvent,
  TypingBusEvent,
  UserBusEvent,
} from './topics';
import { topics } from './topics';
import { prepareBatch, prepareEvent } from './wire';

const REPLAY_PAGE = 500;
export const TYPING_TTL_MS = 5_000;

const removedError = () => forbidden('You are no longer a participant of this conversation');

/** The `data` of one `message.onEvents` yield. */
export type MessageEventBatch = { events: MessageEvent[] };

/** The most events one `message.onEvents` yield carries. */
const MAX_BATCH = 100;

/**
 * `message.onEvent` (one yield per event, the contract) and `message.onEvents` (several per
 * yield). Attach to the live feed first, then replay the backlog from Postgres, then stream
 * live, skipping anything the replay already yielded: no gap, no duplicate. In batch mode,
 * whatever has queued up while the socket was busy goes out as one yield and one frame,
 * which is what lets a subscriber keep up under load.
 */
async function* eventStream(
  services: ChatServices,
  user: User,
  input: { conversationId: string; lastEventId?: string | null | undefined },
  signal: AbortSignal,
  options: { batch: boolean },
): AsyncGenerator<TrackedEnvelope<unknown>> {
  const { conversationId } = input;
  const sql = services.deps.db.$client;
  await requireParticipant(services.deps.db, conversationId, user.id);
  const resumeFrom =
    input.lastEventId != null ? await resumePoint(sql, conversationId, input.lastEventId) : null;
  const emit = options.batch
    ? function* (events: MessageBusEvent[]) {
        for (let i = 0; i < events.length; i += MAX_BATCH) {
          const chunk = events.slice(i, i + MAX_BATCH);
          const lastSeq = String(chunk[chunk.length - 1]?.seq);
          yield tracked(lastSeq, prepareBatch(chunk));
        }
      }
    : function* (events: MessageBusEvent[]) {
        for (const event of events) {
          yield tracked(String(event.seq), prepareEvent(event));
        }
      };

  const queue = new LiveQueue<MessageBusEvent>(signal);
  const unwatch = services.access.watch(conversationId, user.id, () => queue.fail(removedError()));
  let detach = () => {};
  try {
    const feed = await services.feeds.attach(conversationId, queue);
    detach = feed.detach;
    let last = resumeFrom ?? feed.head;
    let replaying = resumeFrom !== null;
    for (;;) {
      if (replaying) {
        const events = await loadEventsAfter(sql, conversationId, last, REPLAY_PAGE);
        if (events.length > 0) {
          last = events[events.length - 1]?.seq ?? last;
          yield* emit(events);
        }
        replaying = events.length === REPLAY_PAGE;
        continue;
      }
      const item = await queue.next();
      if (item === CLOSED) return;
      if (item === RESYNC) {
        replaying = true;
        continue;
      }
      const ready = options.batch ? [item, ...queue.takeReady(MAX_BATCH - 1)] : [item];
      const fresh: MessageBusEvent[] = [];
      for (const event of ready) {
        if (event.seq <= last) continue;
        if (event.seq > last + 1) {
          // Cannot happen with an ordered feed, but if it did, Postgres has the hole.
          replaying = true;
          break;
        }
        fresh.push(event);
        last = event.seq;
      }
      if (fresh.length > 0) yield* emit(fresh);
    }
  } finally {
    detach();
    unwatch();
    queue.dispose();
  }
}

type StreamInput = { conversationId: string; lastEventId?: string | null | undefined };

// The payloads are pre-serialised (see ./wire); to clients they are the contract's types.
export const messageEvents = (
  services: ChatServices,
  user: User,
  input: StreamInput,
  signal: AbortSignal,
) =>
  eventStream(services, user, input, signal, { batch: false }) as AsyncGenerator<
    TrackedEnvelope<MessageEvent>
  >;

export const messageEventBatches = (
  services: ChatServices,
  user: User,
  input: StreamInput,
  signal: AbortSignal,
) =>
  eventStream(services, user, input, signal, { batch: true }) as AsyncGenerator<
    TrackedEnvelope<MessageEventBatch>
  >;

/** Runs `body` over a queue fed by bus topics, with membership revocation; shared plumbing. */
async function* conversationStream<T, Out>(
  services: ChatServices,
  user: User,
  conversationId: string,
  signal: AbortSignal,
  listen: (queue: LiveQueue<T>) => Array<() => void>,
  map: (item: T) => Out | null,
) {
  await requireParticipant(services.deps.db, conversationId, user.id);
  const queue = new LiveQueue<T>(signal);
  const unwatch = services.access.watch(conversationId, user.id, () => queue.fail(removedError()));
  const unlisten = listen(queue);
  try {
    for (;;) {
      const item = await queue.next();
      if (item === CLOSED) return;
      if (item === RESYNC) continue;
      const out = map(item);
      if (out !== null) yield out;
    }
  } finally {
    for (const u of unlisten) u();
    unwatch();
    queue.dispose();
  }
}

/**
 * `typing.onChange`: other participants only. A typing state lapses after 5 s without a
 * refresh; the subscriber's own process announces the lapse, so it holds whichever process
 * the typist's refreshes reach.
 */
export async function* typingChanges(
  services: ChatServices,
  user: User,
  conversationId: string,
  signal: AbortSignal,
): AsyncGenerator<TypingChange> {
  const timers = new Map<string, NodeJS.Timeout>();
  try {
    yield* conversationStream<TypingBusEvent, TypingChange>(
      services,
      user,
      conversationId,
      signal,
      (queue) => [
        services.deps.bus.listen(topics.typing(conversationId), (payload) => {
          if (payload === GAP) return;
          const change = payload as TypingBusEvent;
          if (change.userId === user.id) return;
          const wasTyping = timers.has(change.userId);
          clearTimeout(timers.get(change.userId));
          timers.delete(change.userId);
          if (change.isTyping) {
            timers.set(
              change.userId,
              setTimeout(() => {
                timers.delete(change.userId);
                queue.push({ ...change, isTyping: false });
              }, TYPING_TTL_MS),
            );
          }
          // A refresh of a state already shown is not news.
          if (change.isTyping !== wasTyping) queue.push(change);
        }),
      ],
      (change) => ({
        conversationId,
        userId: change.userId,
        name: change.name,
        isTyping: change.isTyping,
      }),
    );
  } finally {
    for (const timer of timers.values()) clearTimeout(timer);
  }
}

export function receiptChanges(
  services: ChatServices,
  user: User,
  conversationId: string,
  signal: AbortSignal,
) {
  return conversationStream<ReceiptBusEvent, ReceiptBusEvent>(
    services,
    user,
    conversationId,
    signal,
    (queue) => [
      services.deps.bus.listen(topics.receipts(conversationId), (payload) => {
        if (payload !== GAP) queue.push(payload as ReceiptBusEvent);
      }),
    ],
    (receipt: Receipt & { conversationId: string }) => ({
      conversationId,
      userId: receipt.userId,
      lastReadSeq: receipt.lastReadSeq,
      readAt: receipt.readAt,
    }),
  );
}

/** `presence.onChange`: changes of this conversation's participants (the set follows joins and leaves). */
export async function* presenceChanges(
  services: ChatServices,
  user: User,
  conversationId: string,
  signal: AbortSignal,
): AsyncGenerator<PresenceState> {
  const members = new Set(await participantIds(services.deps.db, conversationId));
  yield* conversationStream<PresenceBusEvent | MembersBusEvent, PresenceState>(
    services,
    user,
    conversationId,
    signal,
    (queue) => [
      services.deps.bus.listen(topics.presence, (payload) => {
        if (payload !== GAP && members.has((payload as PresenceBusEvent).userId)) {
          queue.push(payload as PresenceBusEvent);
        }
      }),
      services.deps.bus.listen(topics.members(conversationId), (payload) => {
        if (payload === GAP) return;
        const change = payload as MembersBusEvent;
        if (change.type === 'added') members.add(change.userId);
        else members.delete(change.userId);
      }),
    ],
    (item) =>
      'status' in item
        ? { userId: item.userId, status: item.status, lastSeenAt: item.lastSeenAt }
        : null,
  );
}

const SUMMARY_DEBOUNCE_MS = 100;

/**
 * `conversation.onUpdate`: a fresh summary of each of the caller's conversations that changes
 * (a message, an edit, its own read state, membership). Changes within 100 ms are summarised
 * once. A conversation the caller leaves is sent one last time with `removed: true`.
 */
export async function* conversationUpdates(
  services: ChatServices,
  user: User,
  signal: AbortSignal,
): AsyncGenerator<ConversationSummary & { removed?: true }> {
  const { bus, db } = services.deps;
  const queue = new LiveQueue<ConversationSummary & { removed?: true }>(signal, 1_000);
  const following = new Map<string, () => void>();
  const dirty = new Set<string>();
  let timer: NodeJS.Timeout | null = null;

  const flush = async () => {
    timer = null;
    const ids = [...dirty].filter((id) => following.has(id));
    dirty.clear();
    try {
      for (const summary of await summariesFor(db, user.id, ids)) queue.push(summary);
    } catch (error) {
      services.deps.log('warn', 'conversation summary failed', { error: String(error) });
    }
  };
  const touch = (id: string) => {
    dirty.add(id);
    timer ??= setTimeout(() => void flush(), SUMMARY_DEBOUNCE_MS);
  };
  const touchAll = () => {
    for (const id of following.keys()) touch(id);
  };
  const follow = (id: string) => {
    if (following.has(id)) return;
    const listeners = [
      bus.listen(topics.messages(id), (p) => (p === GAP ? touchAll() : touch(id))),
      bus.listen(topics.members(id), (p) => (p === GAP ? touchAll() : touch(id))),
    ];
    following.set(id, () => {
      for (const unlisten of listeners) unlisten();
    });
  };
  const unfollow = async (id: string) => {
    following.get(id)?.();
    following.delete(id);
    try {
      const conversation = await loadConversation(db, id);
      queue.push({ ...conversation, lastMessage: null, unreadCount: 0, removed: true });
    } catch {}
  };

  const unlistenUser = bus.listen(topics.user(user.id), (payload) => {
    if (payload === GAP) return touchAll();
    const change = payload as UserBusEvent;
    if (change.type === 'conversation.removed') void unfollow(change.conversationId);
    else {
      follow(change.conversationId);
      touch(change.conversationId);
    }
  });
  try {
    for (const id of await conversationIdsOf(db, user.id)) follow(id);
    for (;;) {
      const item = await queue.next();
      if (item === CLOSED) return;
      if (item === RESYNC) {
        touchAll();
        continue;
      }
      yield item;
    }
  } finally {
    unlistenUser();
    if (timer) clearTimeout(timer);
    for (const unlisten of following.values()) unlisten();
    queue.dispose();
  }
}
