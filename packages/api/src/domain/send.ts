import { withAttachmentUrls } from '../attachments/urls';
import { type Deps, type MessageBusEvent, publish, topics } from '../live/topics';
import { requireParticipant } from './conversations';
import { badRequest, conflict } from './errors';
import { replyToSql } from './message-extras';
import { columns, type Sql } from './messages';
import type { Attachment, Message, ReplyQuote, User } from './types';

export interface SendInput {
  conversationId: string;
  clientId: string;
  content: string;
  replyToId?: string | null | undefined;
  /** v2: uploaded attachments to put on the message (at most 10). */
  attachmentIds?: string[] | undefined;
  /** The same, once checked (see AttachmentService.checkForSend). */
  attachments?: Attachment[] | undefined;
}

interface Inserted {
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

export const toMessage = (sender: User, input: SendInput, row: Inserted): Message => ({
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
  deps: Deps,
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
  const message = toMessage(sender, input, row);
  return { message, event: { seq: row.eventSeq, type: 'message.created', message } };
}

async function existingSend(
  sql: Sql,
  sender: User,
  input: SendInput,
  cause: unknown,
): Promise<Message> {
  const [existing] = await sql<Message[]>`
    select ${columns(sql)} from messages m left join users u on u.id = m.sender_id
    where m.sender_id = ${sender.id} and m.client_id = ${input.clientId}`;
  if (!existing) throw cause;
  withAttachmentUrls(existing);
  if (existing.conversationId !== input.conversationId) {
    throw conflict('This clientId was already used for a message in another conversation');
  }
  return existing;
}

/**
 * Sends a message (see `SendBatcher` for how concurrent sends share a statement) and, once
 * it is committed, publishes its event. Idempotent on (sender, clientId).
 */
export async function sendMessage(deps: Deps, sender: User, input: SendInput): Promise<Message> {
  if (input.attachmentIds?.length) return sendWithAttachments(deps, sender, input);
  if (deps.sends) return deps.sends.send(sender, input);
  const { message, event } = await insertOne(deps, sender, input);
  if (event) await publish(deps, topics.messages(input.conversationId), event);
  return message;
}

/**
 * A send with attachments skips the batcher: its checks read the store, and it runs rarely.
 * A retry of a send that already went (same clientId) returns the original before any check,
 * since its attachments are, by then, on a message.
 */
async function sendWithAttachments(deps: Deps, sender: User, input: SendInput): Promise<Message> {
  const sql = deps.db.$client;
  const [sent] = await sql`
    select 1 from messages where sender_id = ${sender.id} and client_id = ${input.clientId}`;
  if (sent) return existingSend(sql, sender, input, new Error('the sent message vanished'));
  if (!deps.attachments) throw badRequest('Attachments are not available on this server');
  await requireParticipant(deps.db, input.conversationId, sender.id);
  const attachments = await deps.attachments.checkForSend(
    sender,
    input.conversationId,
    input.attachmentIds ?? [],
  );
  const { message, event } = await insertOne(deps, sender, { ...input, attachments });
  if (event) await publish(deps, topics.messages(input.conversationId), event);
  return message;
}
