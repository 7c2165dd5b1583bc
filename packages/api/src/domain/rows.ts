import { sql } from 'drizzle-orm';
import { extraColumnsSql } from './message-extras';
import type { Message, Reaction, ReplyQuote } from './types';

/** The columns of a `Message`, from `messages m left join users u on u.id = m.sender_id`. */
export const messageColumns = sql.raw(`
  m.id, m.conversation_id as "conversationId", m.seq, m.sender_id as "senderId",
  u.name as "senderName", m.client_id as "clientId", m.content, m.reply_to_id as "replyToId",
  m.created_at as "createdAt", m.edited_at as "editedAt", m.deleted_at as "deletedAt", m.kind,
  ${extraColumnsSql}`);

/** postgres.js hands back timestamps as Dates already; this only narrows the row type. */
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
  };
}

/** `(id1, id2, …)` for `in` clauses. Callers skip the query when `ids` is empty. */
export const uuidList = (ids: readonly string[]) =>
  sql`(${sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  )})`;
