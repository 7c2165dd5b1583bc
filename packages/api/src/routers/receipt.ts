import { z } from 'zod';
import { listReceipts, markDelivered, markRead } from '../domain/receipts';
import { receiptChanges } from '../live/streams';
import { conversationProcedure, router, withSubscriptionSlot } from '../trpc';

export const receiptRouter = router({
  markRead: conversationProcedure
    .input(z.object({ seq: z.number().int().min(0) }))
    .mutation(({ ctx, input }) =>
      markRead(ctx.services.deps, ctx.user, input.conversationId, input.seq),
    ),

  markDelivered: conversationProcedure
    .input(z.object({ seq: z.number().int().min(0) }))
    .mutation(({ ctx, input }) =>
      markDelivered(ctx.services.deps, ctx.user, input.conversationId, input.seq),
    ),

  list: conversationProcedure.query(({ ctx, input }) =>
    listReceipts(ctx.services.deps.db, input.conversationId),
  ),

  onRead: conversationProcedure.subscription(({ ctx, input, signal }) =>
    withSubscriptionSlot(
      ctx,
      receiptChanges(
        ctx.services,
        ctx.user,
        input.conversationId,
        signal ?? new AbortController().signal,
      ),
    ),
  ),
});
