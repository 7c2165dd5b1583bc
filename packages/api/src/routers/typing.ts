import { z } from 'zod';
import { publish, type TypingBusEvent, topics } from '../events';
import { typingChanges } from '../live/streams';
import { openSubscription } from '../subscription';
import { conversationProcedure, router } from '../trpc';

export const typingRouter = router({
  set: conversationProcedure
    .input(z.object({ isTyping: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      await publish(ctx.deps, topics.typing(input.conversationId), {
        conversationId: input.conversationId,
        userId: ctx.user.id,
        name: ctx.user.name,
        isTyping: input.isTyping,
      } satisfies TypingBusEvent);
    }),

  onChange: conversationProcedure.subscription(({ ctx, input, signal }) =>
    openSubscription({ ctx, signal }, (aborted) =>
      typingChanges(ctx.services, ctx.user, input.conversationId, aborted),
    ),
  ),
});
