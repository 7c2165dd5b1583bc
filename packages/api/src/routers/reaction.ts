import { z } from 'zod';
import { isOneEmoji, setReaction } from '../domain/reactions';
import { protectedProcedure, router } from '../trpc';

const input = z.object({
  messageId: z.uuid(),
  emoji: z.string().refine(isOneEmoji, 'emoji must be exactly one emoji'),
});

export const reactionRouter = router({
  add: protectedProcedure
    .input(input)
    .mutation(({ ctx, input }) => setReaction(ctx.deps, ctx.user, input, true)),
  remove: protectedProcedure
    .input(input)
    .mutation(({ ctx, input }) => setReaction(ctx.deps, ctx.user, input, false)),
});
