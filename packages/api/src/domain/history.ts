import type { Deps } from '../deps';
import { notFound } from './errors';
import { messageColumnsOf, toMessage } from './message-columns';
import type { Sql } from './sql';
import type { Message } from './types';

/** A page of history with cursors both ways: `nextCursor` (older) and `newerCursor` (newer). */
export type HistoryPage = {
  items: Message[];
  nextCursor: number | null;
  newerCursor: number | null;
  lastEventId: string;
};

const older = async (tx: Sql, conversationId: string, beforeSeq: number, limit: number) =>
  (
    await tx`
      select ${messageColumnsOf(tx)} from messages m left join users u on u.id = m.sender_id
      where m.conversation_id = ${conversationId} and m.seq < ${beforeSeq}
      order by m.seq desc limit ${limit}`
  ).map(toMessage);

const newer = async (tx: Sql, conversationId: string, fromSeq: number, limit: number) =>
  (
    await tx`
      select ${messageColumnsOf(tx)} from messages m left join users u on u.id = m.sender_id
      where m.conversation_id = ${conversationId} and m.seq >= ${fromSeq}
      order by m.seq limit ${limit}`
  ).map(toMessage);

/**
 * Reads a page in one snapshot (so `lastEventId` matches it). `before` older messages than
 * `fromSeq` and up to `after` from it on, each asking one more to learn whether more exist.
 */
async function window(
  deps: Deps,
  conversationId: string,
  fromSeq: number,
  before: number,
  after: number,
): Promise<HistoryPage> {
  const sql = deps.db.$client;
  return sql.begin('isolation level repeatable read read only', async (tx) => {
    const [head] = await tx<{ lastEventSeq: number }[]>`
      select last_event_seq as "lastEventSeq" from conversations where id = ${conversationId}`;
    if (!head) throw notFound('Conversation');
    const [old, fresh] = await Promise.all([
      before > 0 ? older(tx, conversationId, fromSeq, before + 1) : Promise.resolve([]),
      newer(tx, conversationId, fromSeq, after + 1),
    ]);
    const olderPage = old.slice(0, before).reverse();
    const newerPage = fresh.slice(0, after);
    const items = [...olderPage, ...newerPage];
    const first = items[0];
    const last = items.at(-1);
    const moreBefore = before > 0 ? old.length > before : fromSeq > 1;
    return {
      items,
      nextCursor: moreBefore && first ? first.seq : null,
      newerCursor: fresh.length > after && last ? last.seq : null,
      lastEventId: String(head.lastEventSeq),
    };
  });
}

/**
 * The page centred on `aroundSeq` (a quoted message, a search hit): half older, the rest from
 * it on. Page older with `cursor: nextCursor`, newer with `newerCursor`.
 */
export function listAround(
  deps: Deps,
  input: { conversationId: string; aroundSeq: number; limit: number },
): Promise<HistoryPage> {
  const before = Math.floor(input.limit / 2);
  return window(deps, input.conversationId, input.aroundSeq, before, input.limit - before);
}

/** The page just after `newerCursor`, ascending; `newerCursor` again until the newest. */
export function listNewer(
  deps: Deps,
  input: { conversationId: string; newerCursor: number; limit: number },
): Promise<HistoryPage> {
  return window(deps, input.conversationId, input.newerCursor + 1, 0, input.limit);
}

/** `message.replies`: the direct replies to one message, oldest first, keyed by seq. */
export async function listReplies(
  deps: Deps,
  callerId: string,
  input: { messageId: string; cursor?: number | null | undefined; limit: number },
): Promise<{ items: Message[]; nextCursor: number | null }> {
  const sql = deps.db.$client;
  const [target] = await sql<{ conversationId: string; member: boolean }[]>`
    select m.conversation_id as "conversationId",
           exists (select 1 from conversation_participants p
                   where p.conversation_id = m.conversation_id and p.user_id = ${callerId}) as member
    from messages m where m.id = ${input.messageId}`;
  // A message outside the caller's conversations is as good as absent.
  if (!target?.member) throw notFound('Message');
  const rows = await sql`
    select ${messageColumnsOf(sql)} from messages m left join users u on u.id = m.sender_id
    where m.reply_to_id = ${input.messageId} and m.seq > ${input.cursor ?? 0}
    order by m.seq limit ${input.limit + 1}`;
  const items = rows.slice(0, input.limit).map(toMessage);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > input.limit && last ? last.seq : null };
}
