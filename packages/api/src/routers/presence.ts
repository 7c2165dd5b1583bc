import { listPresence } from '../domain/presence';
import { presenceChanges } from '../live/streams';
import { openSubscription } from '../subscription';
import { conversationProcedure, router } from '../trpc';

export const presenceRouter = router({
  list: conversationProcedure.query(({ ctx, input }) => listPresence(ctx.db, input.conversationId)),

  onChange: conversationProcedure.subscription(({ ctx, input, signal }) =>
    openSubscription({ ctx, signal }, (aborted) =>
      presenceChanges(ctx.services, ctx.user, input.conversationId, aborted),
    ),
  ),
});
