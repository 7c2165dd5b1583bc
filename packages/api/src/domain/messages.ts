import type postgres from 'postgres';
import { type Deps, type MessageBusEvent, publish, topics } from '../live/topics';
import { ChatError, conflict, forbidden, notFound, STALE_EVENT_ID } from './errors';
import { extraColumnsSql } from './message-extras';
import { systemMessageIsFixed } from './system-messages';
import type { Message, MessageEventType, User } from './types';

// Messages are the hot path, so they talk to postgres.js directly: prepared statements, no
// query-builder work per call. Sending lives in ./send.ts.
export type Sql = postgres.Sql | postgres.TransactionSql;

export const columns = (sql: Sql) => sql`
  m.id, m.conversation_id as "conversationId", m.seq, m.sender_id as "senderId",
  u.name as "senderName", m.client_id as "clientId", m.content, m.reply_to_id as "replyToId",
  m.created_at as "createdAt", m.edited_at as "editedAt", m.deleted_at as "deletedAt", m.kind,
  ${sql.unsafe(extraColumnsSql)}`;

type Change = { kind: 'edit'; content: string } | { kind: 'delete' };

/** Edit and delete share the shape: check, take the conversation lock, change, log the event. */
async function changeMessage(
  deps: Deps,
  caller: User,
  messageId: string,
  change: Change,
): Promise<Message> {
  const sql = deps.db.$client;
  const result = await sql.begin(async (tx) => {
    const [target] = await tx<
      { conversationId: string; senderId: string | null; deletedAt: Date | null; kind: string }[]
    >`
      select conversation_id as "conversationId", sender_id as "senderId", deleted_at as "deletedAt", kind
      from messages where id = ${messageId}`;
    if (!target) throw notFound('Message');
    // On `tx`, never the pool: a transaction that waits for a second connection can wedge
    // the pool when as many of them run at once as it has connections.
    const [access] = await tx<{ member: boolean }[]>`
      select exists (select 1 from conversation_participants
                     where conversation_id = ${target.conversationId} and user_id = ${caller.id}) as member`;
    if (!access?.member) throw forbidden('You are not a participant of this conversation');
    if (target.kind === 'system') throw systemMessageIsFixed(change.kind);
    if (target.senderId !== caller.id) {
      throw forbidden(`Only the sender can ${change.kind} a message`);
    }
    const [event] = await tx<{ eventSeq: number }[]>`
      update conversations set last_event_seq = last_event_seq + 1
      where id = ${target.conversationId}
      returning last_event_seq as "eventSeq"`;
    // Re-read under the conversation lock: a concurrent delete may have won the race.
    const [changed] =
      change.kind === 'edit'
        ? await tx<{ id: string }[]>`
            update messages set content = ${change.content}, edited_at = now()
            where id = ${messageId} and deleted_at is null returning id`
        : await tx<{ id: string }[]>`
            update messages set content = '', deleted_at = now()
            where id = ${messageId} and deleted_at is null returning id`;
    if (!changed || !event) {
      if (change.kind === 'edit') throw conflict('A deleted message cannot be edited');
      return { eventSeq: null };
    }
    const type: MessageEventType = change.kind === 'edit' ? 'message.edited' : 'message.deleted';
    await tx`
      insert into message_events (conversation_id, seq, type, message_id)
      values (${target.conversationId}, ${event.eventSeq}, ${type}, ${messageId})`;
    return { eventSeq: event.eventSeq, type };
  });
  const [message] = await sql<Message[]>`
    select ${columns(sql)} from messages m left join users u on u.id = m.sender_id where m.id = ${messageId}`;
  if (!message) throw notFound('Message');
  if (result.eventSeq !== null && result.type) {
    await publish(deps, topics.messages(message.conversationId), {
      seq: result.eventSeq,
      type: result.type,
      message,
    } satisfies MessageBusEvent);
  }
  return message;
}

export const editMessage = (deps: Deps, caller: User, messageId: string, content: string) =>
  changeMessage(deps, caller, messageId, { kind: 'edit', content });

/** Soft delete: the row stays (seq order, replies), the content goes. Deleting twice is a no-op. */
export const deleteMessage = (deps: Deps, caller: User, messageId: string) =>
  changeMessage(deps, caller, messageId, { kind: 'delete' });

/**
 * A page of history, ascending by seq. Without a cursor: the newest page. `nextCursor` is
 * the seq to pass for the page before, or null at the start. `lastEventId` is the event id
 * this page is consistent with: subscribing from it misses nothing and repeats nothing.
 */
export async function listMessages(
  deps: Deps,
  input: { conversationId: string; cursor?: number | null | undefined; limit: number },
): Promise<{ items: Message[]; nextCursor: number | null; lastEventId: string }> {
  const sql = deps.db.$client;
  const before = input.cursor ?? null;
  return sql.begin('isolation level repeatable read read only', async (tx) => {
    const [head] = await tx<{ lastEventSeq: number }[]>`
      select last_event_seq as "lastEventSeq" from conversations where id = ${input.conversationId}`;
    const rows = await tx<Message[]>`
      select ${columns(tx)} from messages m left join users u on u.id = m.sender_id
      where m.conversation_id = ${input.conversationId}
        ${before === null ? tx`` : tx`and m.seq < ${before}`}
      order by m.seq desc
      limit ${input.limit + 1}`;
    const page = rows.slice(0, input.limit).reverse();
    return {
      items: page,
      nextCursor: rows.length > input.limit && page[0] ? page[0].seq : null,
      lastEventId: String(head?.lastEventSeq ?? 0),
    };
  });
}

export async function loadEventsAfter(
  sql: Sql,
  conversationId: string,
  afterSeq: number,
  limit: number,
): Promise<MessageBusEvent[]> {
  const rows = await sql<(Message & { eventSeq: number; eventType: MessageEventType })[]>`
    select e.seq as "eventSeq", e.type as "eventType", ${columns(sql)}
    from message_events e
    join messages m on m.id = e.message_id
    left join users u on u.id = m.sender_id
    where e.conversation_id = ${conversationId} and e.seq > ${afterSeq}
    order by e.seq
    limit ${limit}`;
  return rows.map(({ eventSeq, eventType, ...message }) => ({
    seq: eventSeq,
    type: eventType,
    message,
  }));
}

export async function headEventSeq(sql: Sql, conversationId: string): Promise<number> {
  const [row] = await sql<{ seq: number }[]>`
    select last_event_seq as seq from conversations where id = ${conversationId}`;
  return row?.seq ?? 0;
}

/**
 * Checks that `lastEventId` can be resumed from: it must be an event id this conversation
 * has issued, and the log must still hold everything after it.
 */
export async function resumePoint(
  sql: Sql,
  conversationId: string,
  lastEventId: string,
): Promise<number> {
  const stale = (why: string) =>
    new ChatError(
      'BAD_REQUEST',
      `Cannot resume from lastEventId ${JSON.stringify(lastEventId)}: ${why}. Refetch history with message.list.`,
      STALE_EVENT_ID,
    );
  if (!/^\d{1,9}$/.test(lastEventId)) throw stale('not an event id');
  const after = Number(lastEventId);
  const [row] = await sql<{ head: number; oldest: number | null }[]>`
    select c.last_event_seq as head,
           (select min(e.seq) from message_events e where e.conversation_id = c.id) as oldest
    from conversations c where c.id = ${conversationId}`;
  if (!row) throw notFound('Conversation');
  if (after > row.head) throw stale('unknown event id');
  const oldest = row.oldest ?? row.head + 1;
  if (after < oldest - 1) throw stale('too old, the event log no longer reaches back that far');
  return after;
}

/** Drops events older than the retention window. Resumes from before it get STALE_EVENT_ID. */
export async function pruneEvents(sql: Sql, retentionDays: number): Promise<number> {
  const result = await sql`
    delete from message_events where created_at < now() - make_interval(days => ${retentionDays})`;
  return result.count;
}
