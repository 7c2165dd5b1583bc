import type { Db } from '@estuary/db';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { credentials } from '../credentials';
import { createSession, revokeSession, revokeUserSessions } from '../domain/sessions';
import { authenticateUser, registerUser } from '../domain/users';
import type { ChatServices } from '../services';
import { protectedProcedure, publicProcedure, router } from '../trpc';

/** A new server-side session and an access token bound to it. */
async function signedIn({ db, services }: { db: Db; services: ChatServices }, userId: string) {
  const session = await createSession(db, userId);
  return services.tokens.issueForSession(userId, session.id);
}

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
      const user = await registerUser(ctx.db, input);
      return { ...(await signedIn(ctx, user.id)), user };
    }),

  login: publicProcedure.input(credentials).mutation(async ({ ctx, input }) => {
    const user = await ctx.services.loginThrottle.attempt(input.email, ctx.address ?? null, () =>
      authenticateUser(ctx.db, input),
    );
    return { ...(await signedIn(ctx, user.id)), user };
  }),

  /**
   * A fresh token for the holder of a valid one, bound to the same session: a revoked or
   * expired session refreshes nothing (UNAUTHORIZED), and a token without one cannot renew.
   */
  refresh: protectedProcedure.mutation(({ ctx }) => {
    const { sessionId } = ctx.auth;
    if (!sessionId)
      throw new TRPCError({
        code: 'UNAUTHORIZED',
        message: 'This token is not bound to a session; sign in again',
      });
    return ctx.services.tokens.issueForSession(ctx.user.id, sessionId);
  }),

  me: protectedProcedure.query(({ ctx }) => ctx.user),

  /** Extra: ends the session this token belongs to. */
  logout: protectedProcedure.mutation(async ({ ctx }) => {
    const { sessionId } = ctx.auth;
    if (sessionId) {
      await revokeSession(ctx.db, sessionId);
      ctx.services.forgetSession(sessionId);
    }
  }),

  /** Extra: ends every session of the caller, on every device. */
  logoutAll: protectedProcedure.mutation(async ({ ctx }) => {
    const revoked = await revokeUserSessions(ctx.db, ctx.user.id);
    if (ctx.auth.sessionId) ctx.services.forgetSession(ctx.auth.sessionId);
    return { revoked };
  }),
});
