import { GAP } from '@estuary/realtime';
import { participantIds } from '../domain/conversations';
import { forbidden } from '../domain/errors';
import type { PresenceState, Receipt, TypingChange, User } from '../domain/types';
import {
  type MembersBusEvent,
  type PresenceBusEvent,
  type ReceiptBusEvent,
  type TypingBusEvent,
  topics,
} from '../events';
import type { ChatServices } from '../services';
import { CLOSED, LiveQueue, RESYNC } from './queue';

export const TYPING_TTL_MS = 5_000;

export const removedError = () => forbidden('You are no longer a participant of this conversation');

// The ephemeral streams: typing, receipts, presence. Messages are in ./message-stream, the
// conversation list's updates in ./conversation-updates.

/** Runs `body` over a queue fed by bus topics, with membership revocation; shared plumbing. */
async function* conversationStream<T, Out>(
  services: ChatServices,
  user: User,
  conversationId: string,
  signal: AbortSignal,
  listen: (queue: LiveQueue<T>) => Array<() => void>,
  map: (item: T) => Out | null,
) {
  const queue = new LiveQueue<T>(signal);
  // Watch (and listen) first, then check: a removal after the check is always seen.
  const unwatch = services.access.watch(conversationId, user.id, () => queue.fail(removedError()));
  const unlisten = listen(queue);
  try {
    await services.membership.require(conversationId, user.id);
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
      lastDeliveredSeq: receipt.lastDeliveredSeq,
      deliveredAt: receipt.deliveredAt,
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
