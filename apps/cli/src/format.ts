import type { ConversationSummary, Message, MessageEvent } from '@estuary/api';

const time = (d: Date) =>
  d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const date = (d: Date) => `${d.toISOString().slice(0, 10)} ${time(d)}`;

/** One line per conversation: id first, so it can be copied into `send` and `tail`. */
export function conversationLine(c: ConversationSummary): string {
  const name = c.title ?? c.participants.map((p) => p.name).join(', ');
  const unread = c.unreadCount > 0 ? ` (${c.unreadCount} unread)` : '';
  const last = c.lastMessage
    ? ` — ${c.lastMessage.senderName}: ${snippet(c.lastMessage.content, 50)}`
    : '';
  return `${c.id}  ${c.kind.padEnd(7)}  ${name}${unread}${last}`;
}

export function messageLine(m: Message, prefix = ''): string {
  const body = m.deletedAt ? '(deleted)' : m.content;
  const edited = m.editedAt && !m.deletedAt ? ' (edited)' : '';
  return `${prefix}#${m.seq} ${date(new Date(m.createdAt))} ${m.senderName}: ${body}${edited}`;
}

const marks: Record<MessageEvent['type'], string> = {
  'message.created': '',
  'message.edited': '[edited] ',
  'message.deleted': '[deleted] ',
  'message.reacted': '[reacted] ',
};

export function eventLine(event: MessageEvent): string {
  return messageLine(event.message, marks[event.type]);
}

function snippet(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
