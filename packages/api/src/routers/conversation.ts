import { z } from 'zod';
import {
  addParticipant,
  conversationForBooking,
  createGroup,
  directConversation,
  loadConversation,
  removeParticipant,
} from '../domain/conversations';
import { leaveGroup, renameGroup } from '../domain/groups';
import { setMuted } from '../domain/mute';
import { listSummaries } from '../domain/summaries';
import { limitedInput, pageLimit } from '../input-limits';
import { conversationUpdates } from '../live/conversation-updates';
import { userOrServiceProcedure } from '../service-procedures';
import { openSubscription } from '../subscription';
import { conversationProcedure, protectedProcedure, router } from '../trpc';

const member = z.object({ conversationId: z.uuid(), userId: z.uuid() });

const listInput = limitedInput((limits) =>
  z
    .object({ cursor: z.string().max(200).nullish(), limit: pageLimit(30, limits) })
    .default({ limit: 30 }),
);

export const conversationRouter = router({
  forBooking: userOrServiceProcedure('bookings')
    .input(z.object({ bookingId: z.uuid() }))
    .mutation(({ ctx, input }) => conversationForBooking(ctx.deps, ctx.caller, input.bookingId)),

  direct: protectedProcedure
    .input(z.object({ userId: z.uuid() }))
    .mutation(({ ctx, input }) => directConversation(ctx.deps, ctx.user, input.userId)),

  createGroup: protectedProcedure
    .input(
      z.object({
        title: z.string().trim().min(1).max(100),
        participantIds: z.array(z.uuid()).max(1_000),
      }),
    )
    .mutation(({ ctx, input }) =>
      createGroup(ctx.deps, ctx.user, input, ctx.services.limits.maxGroupParticipants),
    ),

  addParticipant: protectedProcedure
    .input(member)
    .mutation(({ ctx, input }) =>
      addParticipant(
        ctx.deps,
        ctx.user,
        input.conversationId,
        input.userId,
        ctx.services.limits.maxGroupParticipants,
      ),
    ),

  removeParticipant: protectedProcedure
    .input(member)
    .mutation(({ ctx, input }) =>
      removeParticipant(ctx.deps, ctx.user, input.conversationId, input.userId),
    ),

  rename: conversationProcedure
    .input(z.object({ title: z.string().trim().min(1).max(100) }))
    .mutation(({ ctx, input }) =>
      renameGroup(ctx.deps, ctx.user, input.conversationId, input.title),
    ),

  leave: conversationProcedure.mutation(async ({ ctx, input }) => {
    await leaveGroup(ctx.deps, ctx.user, input.conversationId);
  }),

  list: protectedProcedure
    .use(listInput.check)
    .input(listInput.schema)
    .query(({ ctx, input }) => listSummaries(ctx.db, ctx.user.id, input)),

  get: conversationProcedure.query(({ ctx, input }) =>
    loadConversation(ctx.db, input.conversationId),
  ),

  setMuted: conversationProcedure
    .input(z.object({ muted: z.boolean() }))
    .mutation(({ ctx, input }) => setMuted(ctx.deps, ctx.user, input.conversationId, input.muted)),

  onUpdate: protectedProcedure.subscription(({ ctx, signal }) =>
    openSubscription(
      { ctx, signal },
      (aborted) => conversationUpdates(ctx.services, ctx.user, aborted),
      {
        oncePerConnection: 'conversation.onUpdate',
      },
    ),
  ),
});
