import { z } from 'zod';
import { upsertExternalUser } from '../domain/external-users';
import { serviceProcedure } from '../service-procedures';
import { router } from '../trpc';

export const userRouter = router({
  /** Services (`users` scope): the platform's user, created or updated, idempotent on externalId. */
  upsert: serviceProcedure('users')
    .input(
      z.object({
        externalId: z.string().trim().min(1).max(200),
        email: z.email().max(320),
        name: z.string().trim().min(1).max(200),
        role: z.enum(['practitioner', 'client']),
      }),
    )
    .mutation(({ ctx, input }) => upsertExternalUser(ctx.services.deps.db, input)),
});
