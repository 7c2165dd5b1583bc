import { z } from 'zod';
import { RetryLaterError } from '../domain/errors';
import { listAround, listNewer, listReplies } from '../domain/history';
import { deleteMessage, editMessage, listMessages } from '../domain/messages';
import { searchMessages } from '../domain/search';
import { sendMessage } from '../domain/send/send';
import { sendSystemMessage } from '../domain/system-messages';
import type { Limits } from '../domain/types';
import { messageEventBatches, messageEvents } from '../live/message-stream';
import { isBlank } from '../safety';
import { serviceProcedure } from '../service-procedures';
import { conversationProcedure, protectedProcedure, router, withSubscriptionSlot } from '../trpc';

export const createMessageRouter = (limits: Pick<Limits, 'maxContentLength' | 'maxPageSize'>) => {
  const content = z
    .string()
    .trim()
    .min(1, { abort: true })
    .max(limits.maxContentLength)
    .refine((text) => !isBlank(text), 'Message is empty: only invisible characters');
  return router({
    send: protectedProcedure
      .input(
        z
          .object({
            conversationId: z.uuid(),
            clientId: z.uuid(),
            // v2: with attachments, the text may be empty.
            content: z.string().trim().max(limits.maxContentLength),
            replyToId: z.uuid().nullish(),
            attachmentIds: z.array(z.uuid()).max(10).optional(),
          })
          .superRefine((i, ctx) => {
            if (!isBlank(i.content) || (i.attachmentIds?.length ?? 0) > 0) return;
            ctx.addIssue({
              code: 'too_small',
              origin: 'string',
              minimum: 1,
              inclusive: true,
              path: ['content'],
              message: 'A message needs text (not only invisible characters) or an attachment',
            });
          }),
      )
      .mutation(async ({ ctx, input }) => {
        const verdict = await ctx.services.sendLimiter.consume(ctx.user.id);
        if (!verdict.ok) throw new RetryLaterError('Sending too fast', verdict.retryAfterMs);
        return sendMessage(ctx.services.deps, ctx.user, input);
      }),

    /** Services (`system-messages` scope): a notice with no sender, idempotent on clientId. */
    sendSystem: serviceProcedure('system-messages')
      .input(z.object({ conversationId: z.uuid(), clientId: z.uuid(), content }))
      .mutation(({ ctx, input }) => sendSystemMessage(ctx.services.deps, input)),

    edit: protectedProcedure
      .input(z.object({ messageId: z.uuid(), content }))
      .mutation(({ ctx, input }) =>
        editMessage(ctx.services.deps, ctx.user, input.messageId, input.content),
      ),

    delete: protectedProcedure
      .input(z.object({ messageId: z.uuid() }))
      .mutation(({ ctx, input }) => deleteMessage(ctx.services.deps, ctx.user, input.messageId)),

    list: conversationProcedure
      .input(
        z
          .object({
            cursor: z.number().int().positive().nullish(),
            limit: z.number().int().min(1).max(limits.maxPageSize).default(50),
            // v2: a page centred on a message, and the page after a `newerCursor`.
            aroundSeq: z.number().int().positive().nullish(),
            newerCursor: z.number().int().nonnegative().nullish(),
          })
          .refine(
            (i) => [i.cursor, i.aroundSeq, i.newerCursor].filter((v) => v != null).length <= 1,
            'Give at most one of cursor, aroundSeq and newerCursor',
          ),
      )
      .query(async ({ ctx, input }) => {
        const { conversationId, limit, aroundSeq, newerCursor } = input;
        if (aroundSeq != null) {
          return listAround(ctx.services.deps, { conversationId, aroundSeq, limit });
        }
        if (newerCursor != null) {
          return listNewer(ctx.services.deps, { conversationId, newerCursor, limit });
        }
        return { ...(await listMessages(ctx.services.deps, input)), newerCursor: null };
      }),

    search: protectedProcedure
      .input(
        z.object({
          query: z.string().trim().min(1).max(200),
          conversationId: z.uuid().nullish(),
          cursor: z.string().max(100).nullish(),
          limit: z.number().int().min(1).max(limits.maxPageSize).default(20),
        }),
      )
      .query(({ ctx, input }) => searchMessages(ctx.services.deps, ctx.user.id, input)),

    replies: protectedProcedure
      .input(
        z.object({
          messageId: z.uuid(),
          cursor: z.number().int().nonnegative().nullish(),
          limit: z.number().int().min(1).max(limits.maxPageSize).default(50),
        }),
      )
      .query(({ ctx, input }) => listReplies(ctx.services.deps, ctx.user.id, input)),

    onEvent: conversationProcedure
      .input(z.object({ lastEventId: z.string().max(32).nullish() }))
      .subscription(({ ctx, input, signal }) =>
        withSubscriptionSlot(
          ctx,
          messageEvents(
            ctx.services,
            ctx.user,
            input,
            signal ?? new AbortController().signal,
            ctx.connection?.replayGate,
          ),
        ),
      ),

    /**
     * Extra: `message.onEvent` in batches, `tracked(lastId, { events })`. Same replay and
     * resume rules; under load, events queued for a subscriber share one frame.
     */
    onEvents: conversationProcedure
      .input(z.object({ lastEventId: z.string().max(32).nullish() }))
      .subscription(({ ctx, input, signal }) =>
        withSubscriptionSlot(
          ctx,
          messageEventBatches(
            ctx.services,
            ctx.user,
            input,
            signal ?? new AbortController().signal,
            ctx.connection?.replayGate,
          ),
        ),
      ),
  });
};
