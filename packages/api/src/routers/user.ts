import { z } from 'zod';
import { listContacts } from '../domain/contacts';
import { upsertExternalUser } from '../domain/external-users';
import type { Limits } from '../domain/types';
import { serviceProcedure } from '../service-procedures';
import { protectedProcedure, router } from '../trpc';

export const createUserRouter = (limits: Pick<Limits, 'maxPageSize'>) =>
  router({
    /** The people the caller shares a booking or a conversation with; never the directory. */
    contacts: protectedProcedure
      .input(
        z
          .object({
            query: z.string().max(100).nullish(),
            cursor: z.string().max(400).nullish(),
            limit: z.number().int().min(1).max(limits.maxPageSize).default(50),
          })
          .default({ limit: 50 }),
      )
      .query(({ ctx, input }) => listContacts(ctx.services.deps.db, ctx.user.id, input)),

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
