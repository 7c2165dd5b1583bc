import { replyToSql } from '../message-extras';
import type { Sql } from '../sql';
import type { SendInput, User } from '../types';
import type { Inserted } from './insert-one';

/** An inserted row, with `ord`: the index of its send in the batch. */
export type BatchRow = Inserted & { ord: number };

type Send = { sender: User; input: SendInput };

/**
 * One statement for many sends: it keeps the sends that pass the checks, bumps each
 * conversation's counters once by its count (taking its row lock), numbers its messages in
 * arrival order from there, and writes the messages and their events. Sends it leaves out
 * (not a member, a bad reply, a clientId used before) have no row; the caller sends those
 * alone to learn their exact outcome. Rows come in seq order per conversation.
 */
export async function insertBatch(sql: Sql, batch: readonly Send[]): Promise<BatchRow[]> {
  const column = <T>(pick: (p: Send) => T) => batch.map(pick);
  return sql<BatchRow[]>`
    with input as (
      select * from unnest(
        ${column((p) => p.input.conversationId)}::uuid[],
        ${column((p) => p.sender.id)}::uuid[],
        ${column((p) => p.input.clientId)}::uuid[],
        ${column((p) => p.input.content)}::text[],
        ${column((p) => p.input.replyToId ?? null)}::uuid[],
        ${batch.map((_, i) => i)}::int[]
      ) as t(conversation_id, sender_id, client_id, content, reply_to_id, ord)
    ), valid as (
      select i.* from input i
      where exists (select 1 from conversation_participants p
                    where p.conversation_id = i.conversation_id and p.user_id = i.sender_id)
        and (i.reply_to_id is null or exists (
             select 1 from messages r where r.id = i.reply_to_id and r.conversation_id = i.conversation_id))
        and not exists (select 1 from messages m where m.sender_id = i.sender_id and m.client_id = i.client_id)
    ), counts as (
      select conversation_id, count(*)::int as n from valid group by conversation_id
    ), bump as (
      update conversations c
         set last_seq = c.last_seq + counts.n, last_event_seq = c.last_event_seq + counts.n,
             last_activity_at = now()
        from counts where c.id = counts.conversation_id
      returning c.id, c.last_seq, c.last_event_seq, counts.n
    ), numbered as (
      select v.*, (b.last_seq - b.n + row_number() over w)::int as seq,
             (b.last_event_seq - b.n + row_number() over w)::int as event_seq
      from valid v join bump b on b.id = v.conversation_id
      window w as (partition by v.conversation_id order by v.ord)
    ), ins as (
      insert into messages (conversation_id, seq, sender_id, client_id, content, reply_to_id)
      select conversation_id, seq, sender_id, client_id, content, reply_to_id from numbered
      returning id, conversation_id, seq, created_at
    ), ev as (
      insert into message_events (conversation_id, seq, type, message_id)
      select n.conversation_id, n.event_seq, 'message.created', ins.id
      from numbered n join ins on ins.conversation_id = n.conversation_id and ins.seq = n.seq
    )
    select n.ord, ins.id, ins.seq, ins.created_at as "createdAt", n.event_seq as "eventSeq",
           ${sql.unsafe(replyToSql('n.reply_to_id'))} as "replyTo"
    from numbered n join ins on ins.conversation_id = n.conversation_id and ins.seq = n.seq
    order by n.conversation_id, n.seq`;
}
