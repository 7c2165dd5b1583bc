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
import type { Limits } from '../domain/types';
import { conversationUpdates } from '../live/conversation-updates';
import { userOrServiceProcedure } from '../service-procedures';
import { conversationProcedure, protectedProcedure, router, withSubscriptionSlot } from '../trpc';

const member = z.object({ conversationId: z.uuid(), userId: z.uuid() });

export const createConversationRouter = (limits: Pick<Limits, 'maxPageSize'>) =>
  router({
    forBooking: userOrServiceProcedure('bookings')
      .input(z.object({ bookingId: z.uuid() }))
      .mutation(({ ctx, input }) =>
        conversationForBooking(ctx.services.deps, ctx.caller, input.bookingId),
      ),

    direct: protectedProcedure
      .input(z.object({ userId: z.uuid() }))
      .mutation(({ ctx, input }) => directConversation(ctx.services.deps, ctx.user, input.userId)),

    createGroup: protectedProcedure
      .input(
        z.object({
          title: z.string().trim().min(1).max(100),
          participantIds: z.array(z.uuid()).max(1_000),
        }),
      )
      .mutation(({ ctx, input }) =>
        createGroup(ctx.services.deps, ctx.user, input, ctx.services.limits.maxGroupParticipants),
      ),

    addParticipant: protectedProcedure
      .input(member)
      .mutation(({ ctx, input }) =>
        addParticipant(
          ctx.services.deps,
          ctx.user,
          input.conversationId,
          input.userId,
          ctx.services.limits.maxGroupParticipants,
        ),
      ),

    removeParticipant: protectedProcedure
      .input(member)
      .mutation(({ ctx, input }) =>
        removeParticipant(ctx.services.deps, ctx.user, input.conversationId, input.userId),
      ),

    rename: conversationProcedure
      .input(z.object({ title: z.string().trim().min(1).max(100) }))
      .mutation(({ ctx, input }) =>
        renameGroup(ctx.services.deps, ctx.user, input.conversationId, input.title),
      ),

    leave: conversationProcedure.mutation(async ({ ctx, input }) => {
      await leaveGroup(ctx.services.deps, ctx.user, input.conversationId);
    }),

    list: protectedProcedure
      .input(
        z
          .object({
            cursor: z.string().max(200).nullish(),
            limit: z.number().int().min(1).max(limits.maxPageSize).default(30),
          })
          .default({ limit: 30 }),
      )
      .query(({ ctx, input }) => listSummaries(ctx.services.deps.db, ctx.user.id, input)),

    get: conversationProcedure.query(({ ctx, input }) =>
      loadConversation(ctx.services.deps.db, input.conversationId),
    ),

    setMuted: conversationProcedure
      .input(z.object({ muted: z.boolean() }))
      .mutation(({ ctx, input }) =>
        setMuted(ctx.services.deps, ctx.user, input.conversationId, input.muted),
      ),

    onUpdate: protectedProcedure.subscription(({ ctx, signal }) =>
      withSubscriptionSlot(
        ctx,
        conversationUpdates(ctx.services, ctx.user, signal ?? new AbortController().signal),
        { oncePerConnection: 'conversation.onUpdate', signal },
      ),
    ),
  });
