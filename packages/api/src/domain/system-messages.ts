import type { Deps } from '../deps';
import { type MessageBusEvent, publish, topics } from '../events';
import { conflict, forbidden, notFound } from './errors';
import { messageById, messageColumnsOf, toMessage } from './message-columns';
import type { Sql } from './sql';
import type { Message } from './types';

export interface SystemMessageInput {
  conversationId: string;
  clientId: string;
  content: string;
}

const UNIQUE_VIOLATION = '23505';

/** What edit, delete and reactions answer for a system message. */
const fixedWords = { edit: 'edited', delete: 'deleted', react: 'reacted to' } as const;

export const systemMessageIsFixed = (action: keyof typeof fixedWords) =>
  forbidden(`System messages cannot be ${fixedWords[action]}`);

/**
 * Appends a system message (no sender, `kind: 'system'`) the way a send does: one statement
 * takes the conversation's row lock and assigns the next seq and event id. Idempotent on
 * `clientId`: a retry trips the partial unique index and gets the first message back.
 */
export async function sendSystemMessage(deps: Deps, input: SystemMessageInput): Promise<Message> {
  const sql = deps.db.$client;
  const { conversationId, clientId, content } = input;
  let rows: { id: string; eventSeq: number }[];
  try {
    rows = await sql`
      with bump as (
        update conversations c
           set last_seq = c.last_seq + 1, last_event_seq = c.last_event_seq + 1, last_activity_at = now()
         where c.id = ${conversationId}
        returning c.last_seq, c.last_event_seq
      ), msg as (
        insert into messages (conversation_id, seq, sender_id, client_id, content, kind)
        select ${conversationId}, bump.last_seq, null, ${clientId}, ${content}, 'system' from bump
        returning id
      ), ev as (
        insert into message_events (conversation_id, seq, type, message_id)
        select ${conversationId}, bump.last_event_seq, 'message.created', msg.id from bump, msg
      )
      select msg.id, bump.last_event_seq as "eventSeq" from msg, bump`;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== UNIQUE_VIOLATION) throw error;
    const existing = await findSystemMessage(sql, clientId);
    if (!existing) throw error;
    if (existing.conversationId !== conversationId) {
      throw conflict('This clientId was already used for a message in another conversation');
    }
    return existing;
  }
  const row = rows[0];
  if (!row) throw notFound('Conversation');
  const message = await messageById(sql, row.id);
  if (!message) throw notFound('Message');
  await publish(deps, topics.messages(conversationId), {
    seq: row.eventSeq,
    type: 'message.created',
    message,
  } satisfies MessageBusEvent);
  return message;
}

async function findSystemMessage(sql: Sql, clientId: string): Promise<Message | undefined> {
  const [row] = await sql`
    select ${messageColumnsOf(sql)} from messages m left join users u on u.id = m.sender_id
    where m.kind = 'system' and m.client_id = ${clientId}`;
  return row ? toMessage(row) : undefined;
}
