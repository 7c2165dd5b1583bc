import { z } from 'zod';
import { ChatError } from '../domain/errors';
import { subscribe, unsubscribe } from '../notify/subscriptions';
import { protectedProcedure, router } from '../trpc';

// Browsers' endpoints are a few hundred characters; keys are base64url P-256 point and secret.
const endpoint = z.string().trim().min(1).max(2_048);
const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+=*$/, 'must be base64url');

export const notificationRouter = router({
  vapidPublicKey: protectedProcedure.query(({ ctx }) => {
    const publicKey = ctx.services.notify.vapidPublicKey;
    if (!publicKey) throw new ChatError('NOT_FOUND', 'Push notifications are off on this server');
    return { publicKey };
  }),

  subscribe: protectedProcedure
    .input(z.object({ endpoint, keys: z.object({ p256dh: base64url(200), auth: base64url(100) }) }))
    .mutation(async ({ ctx, input }) => {
      await subscribe(ctx.deps, ctx.user, input, ctx.services.notify.allowInsecureEndpoints);
    }),

  unsubscribe: protectedProcedure.input(z.object({ endpoint })).mutation(async ({ ctx, input }) => {
    await unsubscribe(ctx.deps, ctx.user, input.endpoint);
  }),
});
