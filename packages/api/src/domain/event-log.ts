import type { MessageBusEvent } from '../events';
import { ChatError, notFound, STALE_EVENT_ID } from './errors';
import { messageColumnsOf, toMessage } from './message-columns';
import type { Sql } from './sql';
import type { MessageEventType } from './types';

// The message event log (`message_events`): every change to a conversation's messages gets
// the next event id, in the statement that makes it. Live feeds fill bus holes from here,
// subscriptions replay from here, and the retention window is enforced here. Postgres.js,
// since replay runs once per reconnecting subscriber (see ./README.md).

/** Up to `limit` events after `afterSeq`, in order, each with its message as it is now. */
export async function loadEventsAfter(
  sql: Sql,
  conversationId: string,
  afterSeq: number,
  limit: number,
): Promise<MessageBusEvent[]> {
  const rows = await sql<{ eventSeq: number; eventType: MessageEventType }[]>`
    select e.seq as "eventSeq", e.type as "eventType", ${messageColumnsOf(sql)}
    from message_events e
    join messages m on m.id = e.message_id
    left join users u on u.id = m.sender_id
    where e.conversation_id = ${conversationId} and e.seq > ${afterSeq}
    order by e.seq
    limit ${limit}`;
  return rows.map((row) => ({ seq: row.eventSeq, type: row.eventType, message: toMessage(row) }));
}

/** Latest event ids of many conversations in one query (a conversation not found is absent). */
export async function headEventSeqs(
  sql: Sql,
  conversationIds: string[],
): Promise<Map<string, number>> {
  const rows = await sql<{ id: string; head: number }[]>`
    select id, last_event_seq as head from conversations where id = any(${conversationIds}::uuid[])`;
  return new Map(rows.map((r) => [r.id, r.head]));
}

/** The conversation's latest event id (0 before its first, or when it does not exist). */
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
