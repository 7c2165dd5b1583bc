import type { DbOrTx } from '@estuary/db';
import { type SQL, sql } from 'drizzle-orm';
import type { Deps } from '../deps';
import { publish, type ReceiptBusEvent, topics } from '../events';
import type { Receipt, User } from './types';

const receiptColumns = sql.raw(`p.user_id as "userId", p.last_read_seq as "lastReadSeq",
  p.read_at as "readAt", p.last_delivered_seq as "lastDeliveredSeq", p.delivered_at as "deliveredAt"`);

/**
 * Moves one of the caller's watermarks forward (never back, never past the last message) and
 * announces it. Returns the receipt as it stands, whether or not it moved.
 */
async function advance(
  deps: Deps,
  caller: User,
  conversationId: string,
  set: SQL,
  moves: SQL,
): Promise<Receipt> {
  const [moved] = await deps.db.execute<Receipt>(sql`
    update conversation_participants p
       set ${set}
      from conversations c
     where c.id = p.conversation_id and p.conversation_id = ${conversationId} and p.user_id = ${caller.id}
       and ${moves}
    returning ${receiptColumns}`);
  if (!moved) {
    const [current] = await deps.db.execute<Receipt>(sql`
      select ${receiptColumns} from conversation_participants p
      where p.conversation_id = ${conversationId} and p.user_id = ${caller.id}`);
    return (
      current ?? {
        userId: caller.id,
        lastReadSeq: 0,
        readAt: null,
        lastDeliveredSeq: 0,
        deliveredAt: null,
      }
    );
  }
  await Promise.all([
    publish(deps, topics.receipts(conversationId), {
      ...moved,
      conversationId,
    } satisfies ReceiptBusEvent),
    publish(deps, topics.user(caller.id), { type: 'conversation.changed', conversationId }),
  ]);
  return moved;
}

/** Reading implies delivery: the delivered watermark is raised with the read one. */
export function markRead(deps: Deps, caller: User, conversationId: string, seq: number) {
  const target = sql`least(${seq}, c.last_seq)`;
  return advance(
    deps,
    caller,
    conversationId,
    sql`last_read_seq = ${target}, read_at = now(),
        delivered_at = case when ${target} > p.last_delivered_seq then now() else p.delivered_at end,
        last_delivered_seq = greatest(p.last_delivered_seq, ${target})`,
    sql`${target} > p.last_read_seq`,
  );
}

export function markDelivered(deps: Deps, caller: User, conversationId: string, seq: number) {
  const target = sql`least(${seq}, c.last_seq)`;
  return advance(
    deps,
    caller,
    conversationId,
    sql`last_delivered_seq = ${target}, delivered_at = now()`,
    sql`${target} > p.last_delivered_seq`,
  );
}

export async function listReceipts(db: DbOrTx, conversationId: string): Promise<Receipt[]> {
  return db.execute<Receipt>(sql`
    select ${receiptColumns}
    from conversation_participants p where p.conversation_id = ${conversationId}
    order by p.joined_at`);
}
