import type { Deps } from '../deps';
import { type MessageBusEvent, publish, topics } from '../events';
import { badRequest, conflict, forbidden, notFound } from './errors';
import { messageById } from './message-columns';
import { systemMessageIsFixed } from './system-messages';
import type { Message, User } from './types';

/** Distinct emoji one message may carry. */
export const MAX_DISTINCT_REACTIONS = 20;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
// `v` flag: RGI_Emoji is a property of strings (flags, ZWJ families, keycaps, skin tones).
// biome-ignore lint/complexity/useRegexLiterals: a literal with `v` needs an ES2024 target in tsc.
const RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;

/** One emoji: a single grapheme that is an emoji (not a letter, digit or symbol). */
export function isOneEmoji(text: string): boolean {
  if (text.length === 0 || text.length > 64) return false;
  const [first, second] = graphemes.segment(text);
  if (!first || second) return false;
  return RGI_EMOJI.test(text) || PICTOGRAPHIC.test(text);
}

/**
 * `reaction.add` / `reaction.remove`. Idempotent: a change that changes nothing writes no
 * event. A real change takes the conversation's row lock, like every other write to it, and
 * logs a `message.reacted` event, so resume replays reactions in order with the rest.
 */
export async function setReaction(
  deps: Deps,
  caller: User,
  input: { messageId: string; emoji: string },
  on: boolean,
): Promise<Message> {
  const sql = deps.db.$client;
  const { messageId, emoji } = input;
  const eventSeq = await sql.begin(async (tx) => {
    const [target] = await tx<{ conversationId: string; member: boolean; kind: string }[]>`
      select m.conversation_id as "conversationId", m.kind,
             exists (select 1 from conversation_participants p
                     where p.conversation_id = m.conversation_id and p.user_id = ${caller.id}) as member
      from messages m where m.id = ${messageId}`;
    if (!target) throw notFound('Message');
    if (!target.member) throw forbidden('You are not a participant of this conversation');
    if (target.kind === 'system') throw systemMessageIsFixed('react');
    await tx`select 1 from conversations where id = ${target.conversationId} for update`;
    // Under the lock: a delete or another reaction may have just committed.
    const [state] = await tx<{ deleted: boolean; distinct: number; has: boolean }[]>`
      select m.deleted_at is not null as deleted,
             (select count(distinct r.emoji)::int from message_reactions r where r.message_id = m.id) as distinct,
             exists (select 1 from message_reactions r where r.message_id = m.id and r.emoji = ${emoji}) as has
      from messages m where m.id = ${messageId}`;
    if (!state) throw notFound('Message');
    if (on && state.deleted) throw conflict('A deleted message cannot be reacted to');
    if (on && !state.has && state.distinct >= MAX_DISTINCT_REACTIONS) {
      throw badRequest(`A message can carry at most ${MAX_DISTINCT_REACTIONS} different reactions`);
    }
    const changed = on
      ? await tx`
          insert into message_reactions (message_id, user_id, emoji)
          values (${messageId}, ${caller.id}, ${emoji}) on conflict do nothing returning 1`
      : await tx`
          delete from message_reactions
          where message_id = ${messageId} and user_id = ${caller.id} and emoji = ${emoji} returning 1`;
    if (changed.length === 0) return null;
    const [event] = await tx<{ seq: number }[]>`
      update conversations set last_event_seq = last_event_seq + 1
      where id = ${target.conversationId} returning last_event_seq as seq`;
    if (!event) throw notFound('Conversation');
    await tx`
      insert into message_events (conversation_id, seq, type, message_id)
      values (${target.conversationId}, ${event.seq}, 'message.reacted', ${messageId})`;
    return event.seq;
  });
  const message = await messageById(sql, messageId);
  if (!message) throw notFound('Message');
  if (eventSeq !== null) {
    await publish(deps, topics.messages(message.conversationId), {
      seq: eventSeq,
      type: 'message.reacted',
      message,
    } satisfies MessageBusEvent);
  }
  return message;
}
