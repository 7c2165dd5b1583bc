import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { authenticateUser, registerUser } from '../domain/users';
import { protectedProcedure, publicProcedure, router } from '../trpc';

export const authRouter = router({
  register: publicProcedure
    .input(
      z.object({
        email: z.string().trim().toLowerCase().pipe(z.email().max(254)),
        password: z.string().min(8).max(200),
        name: z.string().trim().min(1).max(100),
        role: z.enum(['practitioner', 'client']),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (!ctx.services.registrationOpen) {
        throw new TRPCError({
          code: 'FORBIDDEN',
          message: 'Registration is closed on this server',
        });
      }
      const user = await registerUser(ctx.services.deps.db, input);
      return { ...(await ctx.services.tokens.issue(user.id)), user };
    }),

  login: publicProcedure
    .input(
      z.object({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(200) }),
    )
    .mutation(async ({ ctx, input }) => {
      const user = await authenticateUser(ctx.services.deps.db, input);
      return { ...(await ctx.services.tokens.issue(user.id)), user };
    }),

  /** A fresh token for the holder of a valid one. */
  refresh: protectedProcedure.mutation(({ ctx }) => ctx.services.tokens.issue(ctx.user.id)),

  me: protectedProcedure.query(({ ctx }) => ctx.user),
});
