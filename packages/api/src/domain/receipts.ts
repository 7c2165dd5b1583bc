import type { DbOrTx } from '@estuary/db';
import { sql } from 'drizzle-orm';
import { type Deps, publish, type ReceiptBusEvent, topics } from '../live/topics';
import type { Receipt, User } from './types';

/**
 * Moves the caller's watermark forward, never back and never past the last message. Returns
 * the watermark as it stands, whether or not it moved.
 */
export async function markRead(
  deps: Deps,
  caller: User,
  conversationId: string,
  seq: number,
): Promise<Receipt> {
  const [moved] = await deps.db.execute<Receipt>(sql`
    update conversation_participants p
       set last_read_seq = least(${seq}, c.last_seq), read_at = now()
      from conversations c
     where c.id = p.conversation_id and p.conversation_id = ${conversationId} and p.user_id = ${caller.id}
       and least(${seq}, c.last_seq) > p.last_read_seq
    returning p.user_id as "userId", p.last_read_seq as "lastReadSeq", p.read_at as "readAt"`);
  if (!moved) {
    const [current] = await deps.db.execute<Receipt>(sql`
      select user_id as "userId", last_read_seq as "lastReadSeq", read_at as "readAt"
      from conversation_participants where conversation_id = ${conversationId} and user_id = ${caller.id}`);
    return current ?? { userId: caller.id, lastReadSeq: 0, readAt: null };
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

export async function listReceipts(db: DbOrTx, conversationId: string): Promise<Receipt[]> {
  return db.execute<Receipt>(sql`
    select user_id as "userId", last_read_seq as "lastReadSeq", read_at as "readAt"
    from conversation_participants where conversation_id = ${conversationId}
    order by joined_at`);
}
