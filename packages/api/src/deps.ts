import type { Db } from '@estuary/db';
import type { Bus } from '@estuary/realtime';
import type { Attachment, Message, SendInput, User } from './domain/types';

// What the domain functions are handed. Only types from below the domain come in here, and
// the services it reaches are described by what the domain calls on them, so every module
// can import this one and no arrow points back up (see the cycle check in test/).

export type Log = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  extra?: Record<string, unknown>,
) => void;

/** The send path's entry (domain/send/batcher.ts): group commit for `message.send`. */
export interface MessageSender {
  send(sender: User, input: SendInput): Promise<Message>;
}

/** What the domain asks of attachment storage (attachments/service.ts implements it). */
export interface AttachmentChecks {
  /** The caller's uploads, checked for this conversation, in the order given. */
  checkForSend(sender: User, conversationId: string, ids: string[]): Promise<Attachment[]>;
  /** Drops a deleted message's files. */
  removeForMessage(messageId: string): Promise<void>;
}

export interface Deps {
  db: Db;
  bus: Bus;
  log: Log;
  /** Every send without attachments goes through it. */
  sends: MessageSender;
  /** Attachment storage and checks (v2). */
  attachments?: AttachmentChecks;
  /** The membership cache (live/membership.ts): a removal here forgets the member at once. */
  membership?: { forget(conversationId: string, userId: string): void };
}
