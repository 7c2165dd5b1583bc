import { z } from 'zod';
import { listReceipts, markDelivered, markRead } from '../domain/receipts';
import { receiptChanges } from '../live/streams';
import { openSubscription } from '../subscription';
import { conversationProcedure, router } from '../trpc';

export const receiptRouter = router({
  markRead: conversationProcedure
    .input(z.object({ seq: z.number().int().min(0) }))
    .mutation(({ ctx, input }) => markRead(ctx.deps, ctx.user, input.conversationId, input.seq)),

  markDelivered: conversationProcedure
    .input(z.object({ seq: z.number().int().min(0) }))
    .mutation(({ ctx, input }) =>
      markDelivered(ctx.deps, ctx.user, input.conversationId, input.seq),
    ),

  list: conversationProcedure.query(({ ctx, input }) => listReceipts(ctx.db, input.conversationId)),

  onRead: conversationProcedure.subscription(({ ctx, input, signal }) =>
    openSubscription({ ctx, signal }, (aborted) =>
      receiptChanges(ctx.services, ctx.user, input.conversationId, aborted),
    ),
  ),
});
