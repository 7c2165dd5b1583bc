import type { Conversation, ConversationSummary, Message } from '@estuary/api';

let n = 0;
const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

export const ADA = uuid(9001);
export const CHLOE = uuid(9002);
export const BEN = uuid(9003);

/** A message with sensible defaults; ids follow seq unless given. */
export function message(seq: number, extra: Partial<Message> = {}): Message {
  return {
    id: uuid(seq),
    conversationId: uuid(1),
    seq,
    senderId: ADA,
    senderName: 'Ada Okafor',
    clientId: uuid(5000 + seq),
    content: `message ${seq}`,
    replyToId: null,
    createdAt: new Date(Date.UTC(2030, 0, 1, 10, seq)),
    editedAt: null,
    deletedAt: null,
    kind: 'user',
    reactions: [],
    replyTo: null,
    attachments: [],
    ...extra,
  };
}

export function conversation(extra: Partial<Conversation> = {}): Conversation {
  return {
    id: uuid(100 + ++n),
    kind: 'booking',
    title: null,
    bookingId: null,
    participants: [
      { userId: ADA, name: 'Ada Okafor', role: 'practitioner' },
      { userId: CHLOE, name: 'Chloe Martin', role: 'client' },
    ],
    createdAt: new Date(Date.UTC(2030, 0, 1)),
    booking: null,
    createdBy: ADA,
    lastActivityAt: new Date(Date.UTC(2030, 0, 1)),
    ...extra,
  };
}

export function summary(extra: Partial<ConversationSummary> = {}): ConversationSummary {
  return { ...conversation(extra), lastMessage: null, unreadCount: 0, muted: false, ...extra };
}
