import { z } from 'zod';
import { listContacts } from '../domain/contacts';
import type { Limits } from '../domain/types';
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
  });
