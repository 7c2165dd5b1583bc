import { listPresence } from '../domain/presence';
import { presenceChanges } from '../live/streams';
import { conversationProcedure, router, withSubscriptionSlot } from '../trpc';

export const presenceRouter = router({
  list: conversationProcedure.query(({ ctx, input }) =>
    listPresence(ctx.services.deps.db, input.conversationId),
  ),

  onChange: conversationProcedure.subscription(({ ctx, input, signal }) =>
    withSubscriptionSlot(
      ctx,
      presenceChanges(
        ctx.services,
        ctx.user,
        input.conversationId,
        signal ?? new AbortController().signal,
      ),
    ),
  ),
});
