import type { Deps } from '../deps';
import { type MessageBusEvent, publish, topics } from '../events';
import { conflict, forbidden, notFound } from './errors';
import { headEventSeq } from './event-log';
import { messageById, messageColumnsOf, toMessage } from './message-columns';
import { systemMessageIsFixed } from './system-messages';
import type { Message, MessageEventType, User } from './types';

// Messages are the hot path, so they talk to postgres.js directly (see ./README.md).
// Sending lives in ./send/, the event log in ./event-log.ts.

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
  const message = await messageById(sql, messageId);
  if (!message) throw notFound('Message');
  if (change.kind === 'delete' && result.eventSeq !== null) {
    await deps.attachments?.removeForMessage(messageId).catch((error: unknown) =>
      deps.log('warn', 'attachment clean-up failed; the sweep will retry', {
        error: String(error),
      }),
    );
  }
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
    const head = await headEventSeq(tx, input.conversationId);
    const rows = await tx`
      select ${messageColumnsOf(tx)} from messages m left join users u on u.id = m.sender_id
      where m.conversation_id = ${input.conversationId}
        ${before === null ? tx`` : tx`and m.seq < ${before}`}
      order by m.seq desc
      limit ${input.limit + 1}`;
    const page = rows.slice(0, input.limit).reverse().map(toMessage);
    return {
      items: page,
      nextCursor: rows.length > input.limit && page[0] ? page[0].seq : null,
      lastEventId: String(head),
    };
  });
}
