import type { Message, MessageEvent, Participant, PresenceState, TypingChange } from '@estuary/api';
import { z } from 'zod';

// The old chat's JSON frames, both ways. Field names are theirs (snake_case) and fixed: front
// ends in the field read them. Everything else about a frame is decided by the router.

/** What old clients send. Unknown extra fields are ignored, as the old server did. */
export const incomingFrame = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('chat_message'),
    content: z.string(),
    attachments: z.array(z.unknown()).nullish(),
  }),
  z.object({ type: z.literal('typing_indicator'), is_typing: z.boolean() }),
  z.object({ type: z.literal('read_receipt'), message_id: z.uuid() }),
]);
export type IncomingFrame = z.infer<typeof incomingFrame>;

export type LegacyAttachment = {
  id: string;
  name: string;
  url: string;
  content_type: string;
  size: number;
};

export type OutgoingFrame =
  | {
      type: 'chat_message';
      message_id: string;
      content: string;
      /** null for a system message (a booking notice), which has no sender. */
      sender_id: string | null;
      sender_name: string | null;
      timestamp: string;
      is_edited: false;
      attachments: LegacyAttachment[] | null;
    }
  | { type: 'typing_indicator'; user_id: string; username: string; is_typing: boolean }
  | { type: 'read_receipt'; message_id: string; user_id: string }
  | { type: 'message_edited'; message_id: string; content: string }
  | { type: 'message_deleted'; message_id: string }
  | { type: 'user_status'; user_id: string; username: string; status: 'online' | 'offline' }
  | { type: 'error'; code: string; message: string; issues?: unknown };

/** A message event as JSON: its dates are ISO strings (what both the wire and the DB give). */
type WireMessage = Omit<Message, 'createdAt'> & { createdAt: string | Date };

/** The old protocol's frames for one message event (a delete is two frames, as it was). */
export function messageFrames(event: { type: MessageEvent['type']; message: WireMessage }) {
  const m = event.message;
  switch (event.type) {
    case 'message.created':
      return [
        {
          type: 'chat_message',
          message_id: m.id,
          content: m.content,
          sender_id: m.senderId,
          sender_name: m.senderName,
          timestamp: new Date(m.createdAt).toISOString(),
          is_edited: false,
          // Attachments arrive with a later release; until then there are none.
          attachments: null,
        },
      ] satisfies OutgoingFrame[];
    case 'message.edited':
      return [
        { type: 'message_edited', message_id: m.id, content: m.content },
      ] satisfies OutgoingFrame[];
    case 'message.deleted':
      return [
        { type: 'message_edited', message_id: m.id, content: '' },
        { type: 'message_deleted', message_id: m.id },
      ] satisfies OutgoingFrame[];
    default:
      // New event types are additive: an old client knows none of them.
      return [];
  }
}

export const typingFrame = (change: TypingChange): OutgoingFrame => ({
  type: 'typing_indicator',
  user_id: change.userId,
  username: change.name,
  is_typing: change.isTyping,
});

export const statusFrame = (state: PresenceState, username: string): OutgoingFrame => ({
  type: 'user_status',
  user_id: state.userId,
  username,
  status: state.status,
});

export const namesOf = (participants: Participant[]) =>
  new Map(participants.map((p) => [p.userId, p.name]));
