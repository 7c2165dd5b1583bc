import { z } from 'zod';
import type { AttachmentService } from '../attachments/service';
import { badRequest } from '../domain/errors';
import { protectedProcedure, router } from '../trpc';

/** v2 attachments: bytes go to the upload URL, never through tRPC (see attachments/service). */
export const attachmentRouter = router({
  createUpload: protectedProcedure
    .input(
      z.object({
        conversationId: z.uuid(),
        name: z.string().min(1).max(255),
        contentType: z.string().min(1).max(255),
        size: z.number().int().positive(),
      }),
    )
    .mutation(({ ctx, input }) => service(ctx).createUpload(ctx.user, input)),

  get: protectedProcedure
    .input(z.object({ attachmentId: z.uuid() }))
    .query(({ ctx, input }) => service(ctx).get(ctx.user, input.attachmentId)),
});

function service(ctx: { deps: { attachments?: AttachmentService | undefined } }) {
  const attachments = ctx.deps.attachments;
  if (!attachments) throw badRequest('Attachments are not available on this server');
  return attachments;
}
