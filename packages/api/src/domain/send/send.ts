import type { Deps } from '../../deps';
import { publish, topics } from '../../events';
import { requireParticipant } from '../conversations';
import { badRequest } from '../errors';
import type { Message, SendInput, User } from '../types';
import { existingSend, insertOne } from './insert-one';

// The send path, read top to bottom:
//   send.ts         `sendMessage`: the entry every transport calls.
//   batcher.ts      `SendBatcher`: gathers concurrent sends per lane, flushes them together.
//   insert-batch.ts one statement for many sends (the usual case under load).
//   insert-one.ts   one statement for one send: a batch of one, the retry of a failed
//                   batch, and every send with attachments.
// Whichever statement wrote a message, its event is published once it has committed.

/**
 * Sends a message and, once it is committed, publishes its event. Idempotent on
 * (sender, clientId): a retry answers with the first message and publishes nothing.
 */
export async function sendMessage(deps: Deps, sender: User, input: SendInput): Promise<Message> {
  if (input.attachmentIds?.length) return sendWithAttachments(deps, sender, input);
  return deps.sends.send(sender, input);
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
