import { z } from 'zod';
import {
  addParticipant,
  conversationForBooking,
  createGroup,
  directConversation,
  loadConversation,
  removeParticipant,
} from '../domain/conversations';
import { setMuted } from '../domain/mute';
import { listSummaries } from '../domain/summaries';
import type { Limits } from '../domain/types';
import { conversationUpdates } from '../live/conversation-updates';
import { conversationProcedure, protectedProcedure, router, withSubscriptionSlot } from '../trpc';

const member = z.object({ conversationId: z.uuid(), userId: z.uuid() });

export const createConversationRouter = (limits: Pick<Limits, 'maxPageSize'>) =>
  router({
    forBooking: protectedProcedure
      .input(z.object({ bookingId: z.uuid() }))
      .mutation(({ ctx, input }) =>
        conversationForBooking(ctx.services.deps, ctx.user, input.bookingId),
      ),

    direct: protectedProcedure
      .input(z.object({ userId: z.uuid() }))
      .mutation(({ ctx, input }) => directConversation(ctx.services.deps, ctx.user, input.userId)),

    createGroup: protectedProcedure
      .input(
        z.object({
          title: z.string().trim().min(1).max(100),
          participantIds: z.array(z.uuid()).max(99),
        }),
      )
      .mutation(({ ctx, input }) => createGroup(ctx.services.deps, ctx.user, input)),

    addParticipant: protectedProcedure
      .input(member)
      .mutation(({ ctx, input }) =>
        addParticipant(ctx.services.deps, ctx.user, input.conversationId, input.userId),
      ),

    removeParticipant: protectedProcedure
      .input(member)
      .mutation(({ ctx, input }) =>
        removeParticipant(ctx.services.deps, ctx.user, input.conversationId, input.userId),
      ),

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
      ),
    ),
  });
