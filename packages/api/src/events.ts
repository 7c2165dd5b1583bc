import type { Deps } from './deps';
import type {
  Message,
  MessageEventType,
  PresenceState,
  Receipt,
  TypingChange,
} from './domain/types';

// What travels on the bus: topic names and payloads. The domain publishes, live/ listens.

/** Bus topic names. Short, because they travel with every message. */
export const topics = {
  messages: (conversationId: string) => `c:${conversationId}:m`,
  typing: (conversationId: string) => `c:${conversationId}:t`,
  receipts: (conversationId: string) => `c:${conversationId}:r`,
  members: (conversationId: string) => `c:${conversationId}:p`,
  user: (userId: string) => `u:${userId}`,
  presence: 'presence',
} as const;

/** A message event as it travels on the bus: `seq` is its per-conversation event id. */
export interface MessageBusEvent {
  seq: number;
  type: MessageEventType;
  message: Message;
}

export interface MembersBusEvent {
  type: 'added' | 'removed' | 'renamed';
  userId: string;
}

export interface UserBusEvent {
  type: 'conversation.changed' | 'conversation.added' | 'conversation.removed';
  conversationId: string;
}

export type TypingBusEvent = TypingChange;
export type ReceiptBusEvent = Receipt & { conversationId: string };
export type PresenceBusEvent = PresenceState;

/**
 * Publishes after a commit. A failed publish is logged, not thrown: the write is durable and
 * subscribers converge from Postgres, so the caller's mutation still succeeded.
 */
export async function publish(deps: Pick<Deps, 'bus' | 'log'>, topic: string, payload: unknown) {
  try {
    await deps.bus.publish(topic, payload);
  } catch (error) {
    deps.log('warn', 'publish failed; subscribers will catch up from Postgres', {
      topic,
      error: String(error),
    });
  }
}
