import { sql } from 'drizzle-orm';
import { ATTACHMENTS_JSON, type StoredAttachment, toAttachment } from '../attachments/urls';
import { extraColumnsSql } from './message-extras';
import type { Sql } from './sql';
import type { Message, Reaction, ReplyQuote } from './types';

// The one way a `Message` is read: this column list, then `toMessage`. Every query that
// returns messages selects it from `messages m left join users u on u.id = m.sender_id`.

const MESSAGE_COLUMNS = `
  m.id, m.conversation_id as "conversationId", m.seq, m.sender_id as "senderId",
  u.name as "senderName", m.client_id as "clientId", m.content, m.reply_to_id as "replyToId",
  m.created_at as "createdAt", m.edited_at as "editedAt", m.deleted_at as "deletedAt", m.kind,
  ${extraColumnsSql},
  ${ATTACHMENTS_JSON}`;

/** The list in a drizzle `sql` template. */
export const messageColumns = sql.raw(MESSAGE_COLUMNS);

/** The same list in a postgres.js template (the hot paths). */
export const messageColumnsOf = (q: Sql) => q.unsafe(MESSAGE_COLUMNS);

/** A row of the list as a `Message`, attachment URLs signed. Both clients hand back Dates. */
export function toMessage(row: Record<string, unknown>): Message {
  return {
    id: row.id as string,
    conversationId: row.conversationId as string,
    seq: Number(row.seq),
    senderId: (row.senderId as string | null) ?? null,
    senderName: (row.senderName as string | null) ?? null,
    clientId: row.clientId as string,
    content: row.content as string,
    replyToId: (row.replyToId as string | null) ?? null,
    createdAt: row.createdAt as Date,
    editedAt: (row.editedAt as Date | null) ?? null,
    deletedAt: (row.deletedAt as Date | null) ?? null,
    kind: row.kind === 'system' ? 'system' : 'user',
    reactions: (row.reactions as Reaction[] | null) ?? [],
    replyTo: (row.replyTo as ReplyQuote | null) ?? null,
    attachments: ((row.attachments ?? []) as StoredAttachment[]).map(toAttachment),
  };
}

/** One message by id, as it is now; null when there is none. */
export async function messageById(q: Sql, id: string): Promise<Message | null> {
  const [row] = await q`
    select ${messageColumnsOf(q)} from messages m left join users u on u.id = m.sender_id
    where m.id = ${id}`;
  return row ? toMessage(row) : null;
}
