import type { Deps } from '../../deps';
import type { MessageBusEvent } from '../../events';
import { requireParticipant } from '../conversations';
import { badRequest, conflict } from '../errors';
import { messageColumnsOf, toMessage } from '../message-columns';
import { replyToSql } from '../message-extras';
import type { Sql } from '../sql';
import type { Message, ReplyQuote, SendInput, User } from '../types';

/** What an insert hands back: the rest of the message is what the sender sent. */
export interface Inserted {
  id: string;
  seq: number;
  createdAt: Date;
  eventSeq: number;
  replyTo: ReplyQuote | null;
}

const UNIQUE_VIOLATION = '23505';
const pgCode = (error: unknown) => {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code ?? e?.cause?.code;
};

/**
 * The message just written, built from the input and the inserted row rather than read back:
 * a send must not cost a second round trip. Matches what `toMessage` reads for it later.
 */
export const sentMessage = (sender: User, input: SendInput, row: Inserted): Message => ({
  id: row.id,
  conversationId: input.conversationId,
  seq: row.seq,
  senderId: sender.id,
  senderName: sender.name,
  clientId: input.clientId,
  content: input.content,
  replyToId: input.replyToId ?? null,
  createdAt: row.createdAt,
  editedAt: null,
  deletedAt: null,
  kind: 'user',
  reactions: [],
  replyTo: row.replyTo ?? null,
  attachments: input.attachments ?? [],
});

/**
 * Appends one message. One statement takes the conversation's row lock, assigns the next
 * `seq` and event id, and writes the message and its event, so concurrent sends queue on
 * the lock and commit in seq order. A repeated (sender, clientId) trips the unique index,
 * the statement rolls back (no seq is burnt), and the first message comes back with no event.
 */
export async function insertOne(
  deps: Pick<Deps, 'db'>,
  sender: User,
  input: SendInput,
): Promise<{ message: Message; event: MessageBusEvent | null }> {
  const sql = deps.db.$client;
  const { conversationId, clientId, content } = input;
  const replyToId = input.replyToId ?? null;
  const attachmentIds = input.attachments?.map((a) => a.id) ?? [];
  // With attachments, the statement also claims them: only if every one is still the
  // sender's, for this conversation, checked and on no message (a racing send loses here).
  const claim =
    attachmentIds.length === 0
      ? { check: sql``, link: sql`` }
      : {
          check: sql`and (select count(*) from attachments a
                where a.id = any(${attachmentIds}::uuid[]) and a.conversation_id = c.id
                  and a.created_by = ${sender.id} and a.message_id is null
                  and a.verified_at is not null) = ${attachmentIds.length}`,
          link: sql`, att as (
                update attachments a
                   set message_id = msg.id, position = array_position(${attachmentIds}::uuid[], a.id)
                  from msg where a.id = any(${attachmentIds}::uuid[]) and a.message_id is null)`,
        };
  const insert = (q: Sql) => q<Inserted[]>`
      with bump as (
        update conversations c
           set last_seq = c.last_seq + 1, last_event_seq = c.last_event_seq + 1, last_activity_at = now()
         where c.id = ${conversationId}
           and exists (select 1 from conversation_participants p
                       where p.conversation_id = c.id and p.user_id = ${sender.id})
           and (${replyToId}::uuid is null or exists (
                select 1 from messages r where r.id = ${replyToId}::uuid and r.conversation_id = c.id))
           ${claim.check}
        returning c.last_seq, c.last_event_seq
      ), msg as (
        insert into messages (conversation_id, seq, sender_id, client_id, content, reply_to_id)
        select ${conversationId}, bump.last_seq, ${sender.id}, ${clientId}, ${content}, ${replyToId}::uuid
        from bump
        returning id, seq, created_at, reply_to_id
      ), ev as (
        insert into message_events (conversation_id, seq, type, message_id)
        select ${conversationId}, bump.last_event_seq, 'message.created', msg.id from bump, msg
      )${claim.link}
      select msg.id, msg.seq, msg.created_at as "createdAt", bump.last_event_seq as "eventSeq",
             ${sql.unsafe(replyToSql('msg.reply_to_id'))} as "replyTo"
      from msg, bump`;
  let rows: Inserted[];
  try {
    rows =
      attachmentIds.length === 0
        ? await insert(sql)
        : // Lock the attachments first: a racing send for the same ones waits here, and its
          // statement (a fresh snapshot) then finds them taken and writes nothing.
          await sql.begin(async (tx) => {
            await tx`select 1 from attachments where id = any(${attachmentIds}::uuid[]) for update`;
            return insert(tx);
          });
  } catch (error) {
    if (pgCode(error) !== UNIQUE_VIOLATION) throw error;
    return { message: await existingSend(sql, sender, input, error), event: null };
  }
  const row = rows[0];
  if (!row) {
    // Nothing was written: either the caller is not a participant, or the reply target is wrong.
    await requireParticipant(deps.db, conversationId, sender.id);
    if (attachmentIds.length > 0) {
      throw badRequest(
        'replyToId must be a message of the same conversation, and each attachment on no other message',
      );
    }
    throw badRequest('replyToId must be a message of the same conversation');
  }
  const message = sentMessage(sender, input, row);
  return { message, event: { seq: row.eventSeq, type: 'message.created', message } };
}

/** The message an earlier send of this (sender, clientId) wrote, or `cause` rethrown. */
export async function existingSend(
  sql: Sql,
  sender: User,
  input: SendInput,
  cause: unknown,
): Promise<Message> {
  const [row] = await sql`
    select ${messageColumnsOf(sql)} from messages m left join users u on u.id = m.sender_id
    where m.sender_id = ${sender.id} and m.client_id = ${input.clientId}`;
  if (!row) throw cause;
  const existing = toMessage(row);
  if (existing.conversationId !== input.conversationId) {
    throw conflict('This clientId was already used for a message in another conversation');
  }
  return existing;
}
