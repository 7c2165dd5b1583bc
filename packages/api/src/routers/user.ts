import { z } from 'zod';
import { listContacts } from '../domain/contacts';
import { upsertExternalUser } from '../domain/external-users';
import { limitedInput, pageLimit } from '../input-limits';
import { serviceProcedure } from '../service-procedures';
import { protectedProcedure, router } from '../trpc';

const contactsInput = limitedInput((limits) =>
  z
    .object({
      query: z.string().max(100).nullish(),
      cursor: z.string().max(400).nullish(),
      limit: pageLimit(50, limits),
    })
    .default({ limit: 50 }),
);

export const userRouter = router({
  /** The people the caller shares a booking or a conversation with; never the directory. */
  contacts: protectedProcedure
    .use(contactsInput.check)
    .input(contactsInput.schema)
    .query(({ ctx, input }) => listContacts(ctx.db, ctx.user.id, input)),

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
    .mutation(({ ctx, input }) => upsertExternalUser(ctx.db, input)),
});
