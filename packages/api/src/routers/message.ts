import { z } from 'zod';
import { RetryLaterError } from '../domain/errors';
import { listAround, listNewer, listReplies } from '../domain/history';
import { deleteMessage, editMessage, listMessages } from '../domain/messages';
import { searchMessages } from '../domain/search';
import { sendMessage } from '../domain/send/send';
import { sendSystemMessage } from '../domain/system-messages';
import { atMost, limitedInput, pageLimit } from '../input-limits';
import { messageEventBatches, messageEvents } from '../live/message-stream';
import { isBlank } from '../safety';
import { serviceProcedure } from '../service-procedures';
import { openPushableSubscription } from '../subscription';
import { conversationProcedure, protectedProcedure, router } from '../trpc';

const content = (max?: number) =>
  atMost(z.string().trim().min(1, { abort: true }), max).refine(
    (text) => !isBlank(text),
    'Message is empty: only invisible characters',
  );

const sendInput = limitedInput((limits) =>
  z
    .object({
      conversationId: z.uuid(),
      clientId: z.uuid(),
      // v2: with attachments, the text may be empty.
      content: atMost(z.string().trim(), limits?.maxContentLength),
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
);

const sendSystemInput = limitedInput((limits) =>
  z.object({
    conversationId: z.uuid(),
    clientId: z.uuid(),
    content: content(limits?.maxContentLength),
  }),
);

const editInput = limitedInput((limits) =>
  z.object({ messageId: z.uuid(), content: content(limits?.maxContentLength) }),
);

const listInput = limitedInput((limits) =>
  z
    .object({
      cursor: z.number().int().positive().nullish(),
      limit: pageLimit(50, limits),
      // v2: a page centred on a message, and the page after a `newerCursor`.
      aroundSeq: z.number().int().positive().nullish(),
      newerCursor: z.number().int().nonnegative().nullish(),
    })
    .refine(
      (i) => [i.cursor, i.aroundSeq, i.newerCursor].filter((v) => v != null).length <= 1,
      'Give at most one of cursor, aroundSeq and newerCursor',
    ),
);

const searchInput = limitedInput((limits) =>
  z.object({
    query: z.string().trim().min(1).max(200),
    conversationId: z.uuid().nullish(),
    cursor: z.string().max(100).nullish(),
    limit: pageLimit(20, limits),
  }),
);

const repliesInput = limitedInput((limits) =>
  z.object({
    messageId: z.uuid(),
    cursor: z.number().int().nonnegative().nullish(),
    limit: pageLimit(50, limits),
  }),
);

const resume = z.object({ lastEventId: z.string().max(32).nullish() });

export const messageRouter = router({
  send: protectedProcedure
    .use(sendInput.check)
    .input(sendInput.schema)
    .mutation(async ({ ctx, input }) => {
      const verdict = await ctx.services.sendLimiter.consume(ctx.user.id);
      if (!verdict.ok) throw new RetryLaterError('Sending too fast', verdict.retryAfterMs);
      return sendMessage(ctx.deps, ctx.user, input);
    }),

  /** Services (`system-messages` scope): a notice with no sender, idempotent on clientId. */
  sendSystem: serviceProcedure('system-messages')
    .use(sendSystemInput.check)
    .input(sendSystemInput.schema)
    .mutation(({ ctx, input }) => sendSystemMessage(ctx.deps, input)),

  edit: protectedProcedure
    .use(editInput.check)
    .input(editInput.schema)
    .mutation(({ ctx, input }) => editMessage(ctx.deps, ctx.user, input.messageId, input.content)),

  delete: protectedProcedure
    .input(z.object({ messageId: z.uuid() }))
    .mutation(({ ctx, input }) => deleteMessage(ctx.deps, ctx.user, input.messageId)),

  list: conversationProcedure
    .use(listInput.check)
    .input(listInput.schema)
    .query(async ({ ctx, input }) => {
      const { conversationId, limit, aroundSeq, newerCursor } = input;
      if (aroundSeq != null) return listAround(ctx.deps, { conversationId, aroundSeq, limit });
      if (newerCursor != null) return listNewer(ctx.deps, { conversationId, newerCursor, limit });
      return { ...(await listMessages(ctx.deps, input)), newerCursor: null };
    }),

  search: protectedProcedure
    .use(searchInput.check)
    .input(searchInput.schema)
    .query(({ ctx, input }) => searchMessages(ctx.deps, ctx.user.id, input)),

  replies: protectedProcedure
    .use(repliesInput.check)
    .input(repliesInput.schema)
    .query(({ ctx, input }) => listReplies(ctx.deps, ctx.user.id, input)),

  onEvent: conversationProcedure
    .input(resume)
    .subscription(({ ctx, input, signal }) =>
      openPushableSubscription(
        { ctx, signal },
        messageEvents(ctx.services, ctx.user, input, ctx.connection?.replayGate),
      ),
    ),

  /**
   * Extra: `message.onEvent` in batches, `tracked(lastId, { events })`. Same replay and
   * resume rules; under load, events queued for a subscriber share one frame.
   */
  onEvents: conversationProcedure
    .input(resume)
    .subscription(({ ctx, input, signal }) =>
      openPushableSubscription(
        { ctx, signal },
        messageEventBatches(ctx.services, ctx.user, input, ctx.connection?.replayGate),
      ),
    ),
});
