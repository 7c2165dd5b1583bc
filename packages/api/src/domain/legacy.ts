import type { DbOrTx } from '@estuary/db';
import { sql } from 'drizzle-orm';
import { notFound } from './errors';

// Lookups the old chat's protocol needs because it names messages by id where the router
// names positions by seq (read receipts). Membership is checked by the caller, as everywhere.

/** The seq of `messageId` in `conversationId`; NOT_FOUND if it is not a message of it. */
export async function messageSeq(
  db: DbOrTx,
  conversationId: string,
  messageId: string,
): Promise<number> {
  const [row] = await db.execute<{ seq: number }>(sql`
    select seq from messages where id = ${messageId} and conversation_id = ${conversationId}`);
  if (!row) throw notFound('Message');
  return row.seq;
}

/** The id of the newest message at or below `seq` (what a read watermark covers), or null. */
export async function messageIdAtSeq(
  db: DbOrTx,
  conversationId: string,
  seq: number,
): Promise<string | null> {
  if (seq < 1) return null;
  const [row] = await db.execute<{ id: string }>(sql`
    select id from messages where conversation_id = ${conversationId} and seq <= ${seq}
    order by seq desc limit 1`);
  return row?.id ?? null;
}
