import type { AnyRouter } from '@trpc/server';
import { z } from 'zod';
import type { Context } from '../context';
import type { Message, Receipt } from '../domain/types';
import { json, restError } from './errors';

/** One message as the old chat's history endpoint returned it. */
export type LegacyHistoryItem = {
  message_id: string;
  content: string;
  /** null for a system message (a booking notice). */
  sender_id: string | null;
  sender_name: string | null;
  created_at: string;
  timestamp: string;
  is_edited: boolean;
  read_by: string[];
};

const query = z.object({
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).optional(),
});

type HistoryCaller = {
  message: {
    list(input: {
      conversationId: string;
      cursor?: number;
      limit?: number;
    }): Promise<{ items: Message[]; nextCursor: number | null }>;
  };
  receipt: { list(input: { conversationId: string }): Promise<Receipt[]> };
};

/**
 * LEGACY: `GET /api/conversations/<id>/messages` as the old chat served it, for front ends
 * in the field. `results` oldest first; `next` is the cursor of the page before (or null).
 * Deleted messages are left out (the old history had none). It is `message.list` and
 * `receipt.list` through the router, so auth and membership are the router's: 401 without
 * a valid token, 403 for a non-member, 404 for an unknown conversation.
 */
export async function legacyHistory(
  router: AnyRouter,
  ctx: Context,
  req: Request,
  conversationId: string,
): Promise<Response> {
  try {
    if (!z.uuid().safeParse(conversationId).success)
      return json(404, { code: 'NOT_FOUND', detail: 'Conversation not found' });
    const url = new URL(req.url);
    const parsed = query.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success)
      return json(400, {
        code: 'BAD_REQUEST',
        detail: 'cursor and limit must be positive integers',
      });
    const caller = router.createCaller(ctx) as unknown as HistoryCaller;
    const [page, receipts] = await Promise.all([
      caller.message.list({ conversationId, ...parsed.data }),
      caller.receipt.list({ conversationId }),
    ]);
    const results: LegacyHistoryItem[] = page.items
      .filter((m) => m.deletedAt === null)
      .map((m) => ({
        message_id: m.id,
        content: m.content,
        sender_id: m.senderId,
        sender_name: m.senderName,
        created_at: m.createdAt.toISOString(),
        timestamp: m.createdAt.toISOString(),
        is_edited: m.editedAt !== null,
        read_by: receipts
          .filter((r) => r.userId !== m.senderId && r.lastReadSeq >= m.seq)
          .map((r) => r.userId),
      }));
    return json(200, {
      results,
      next: page.nextCursor === null ? null : String(page.nextCursor),
    });
  } catch (cause) {
    const { status, body } = restError(router, cause, 'message.list');
    return json(status, { code: body.code, detail: body.message });
  }
}
