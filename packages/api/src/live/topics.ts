import type { Bus } from '@estuary/realtime';
import type {
  Message,
  MessageEventType,
  PresenceState,
  Receipt,
  TypingChange,
} from '../domain/types';

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

export type Log = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  extra?: Record<string, unknown>,
) => void;

export interface Deps {
  db: import('@estuary/db').Db;
  bus: Bus;
  log: Log;
  /** Group commit for sends, in processes that take many (see SendBatcher). */
  sends?: import('../domain/send-batch').SendBatcher;
}

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
