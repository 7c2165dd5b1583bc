import { initTRPC, type ProcedureType, TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';
import { authErrorMessage, type Context } from './context';
import { ChatError, RetryLaterError } from './domain/errors';
import { transformer } from './live/wire';
import { overloadError } from './overload';
import { errorId, findControlCharacter, internalErrorMessage } from './safety';

/**
 * One tRPC instance, read top to bottom: the context (./context), then initTRPC with the
 * transformer and an error formatter that lists zod issues, then the procedures that guard
 * who may call what. Subscriptions add their slot and signal in ./subscription; inputs
 * bounded by the server's limits are checked in ./input-limits.
 */
const t = initTRPC.context<Context>().create({
  transformer,
  errorFormatter({ shape, error }) {
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      // Never the cause's words (SQL, parameters) nor its stack: an id the log also has.
      const id = errorId(error);
      const { stack: _, ...data } = shape.data;
      return {
        ...shape,
        message: internalErrorMessage(id),
        data: {
          ...data,
          issues: undefined,
          reason: undefined,
          retryAfterMs: undefined,
          errorId: id as string | undefined,
        },
      };
    }
    const issues = error.cause instanceof ZodError ? error.cause.issues : undefined;
    return {
      ...shape,
      message: issues
        ? issues
            .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
            .join('; ')
        : shape.message,
      data: {
        ...shape.data,
        issues,
        reason: error instanceof ChatError ? error.reason : undefined,
        retryAfterMs: error instanceof RetryLaterError ? error.retryAfterMs : undefined,
        errorId: undefined as string | undefined,
      },
    };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;
export const middleware = t.middleware;

/**
 * What every call passes first, in one middleware (each middleware step costs tRPC a few
 * object spreads, on every message sent):
 * - no text input may carry NUL or another control character (message content may keep line
 *   feeds and tabs): checked on the raw input, before any schema or query;
 * - once a graceful shutdown has begun, new calls are turned away (the client retries on
 *   another node), and queries and mutations in flight are counted so it can wait for them;
 * - a flat context: what every procedure reads (`ctx.db`, and `ctx.deps`, what the domain
 *   functions take) beside the process's `ctx.services`, instead of `ctx.services.deps.db`.
 */
export const publicProcedure = t.procedure.use(async function guardCall({
  ctx,
  type,
  getRawInput,
  next,
}) {
  const path = findControlCharacter(await getRawInput());
  if (path)
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `${path}: control characters are not allowed`,
    });
  if (ctx.services.draining) {
    throw new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: 'Server is shutting down; retry on another node',
    });
  }
  const { deps } = ctx.services;
  const flat = { deps, db: deps.db };
  if (type === 'subscription') return next({ ctx: flat });
  const leave = ctx.services.inflight.enter();
  try {
    const result = await next({ ctx: flat });
    // A saturated database answers SERVICE_UNAVAILABLE ("busy; retry"), not an internal error.
    const overloaded = result.ok ? null : overloadError(result.error);
    return overloaded ? { ...result, error: overloaded } : result;
  } finally {
    leave();
  }
});

/** The caller holds a valid, unexpired token. Mutations also pass a per-user flood limit. */
export const protectedProcedure = publicProcedure.use(async function isSignedIn({
  ctx,
  type,
  next,
}) {
  const auth = await signedInUser(ctx, type);
  return next({ ctx: { ...ctx, auth, user: auth.user } });
});

/** The checks behind `protectedProcedure`; procedures open to services too reuse them. */
export async function signedInUser(ctx: Context, type: ProcedureType) {
  const { auth } = ctx;
  // A service token is a valid credential, just not for this procedure.
  if (!auth.ok && auth.reason === 'service')
    throw new TRPCError({ code: 'FORBIDDEN', message: authErrorMessage.service });
  if (!auth.ok)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: authErrorMessage[auth.reason] });
  // A socket's context outlives its token; every call re-checks the clock.
  if (auth.expiresAt.getTime() <= Date.now()) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: authErrorMessage.expired });
  }
  // …and its session: a socket opened before sign-out (everywhere) can call no more.
  if (auth.sessionId && !(await ctx.services.sessionAlive(auth.sessionId)))
    throw new TRPCError({ code: 'UNAUTHORIZED', message: authErrorMessage.revoked });
  if (type === 'mutation' && !ctx.services.mutationLimiter.take(auth.user.id).ok) {
    throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'Too many requests; slow down' });
  }
  if (type === 'query') {
    const verdict = ctx.services.queryLimiter.take(auth.user.id);
    if (!verdict.ok) {
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: `Too many queries; retry in ${verdict.retryAfterMs} ms`,
      });
    }
  }
  return auth;
}

/** …and is a participant of `input.conversationId` (NOT_FOUND or FORBIDDEN otherwise). */
export const conversationProcedure = protectedProcedure
  .input(z.object({ conversationId: z.uuid() }))
  .use(async function isParticipant({ ctx, input, type, next }) {
    // Subscriptions check inside their stream, after attaching, so removal races are closed.
    if (type !== 'subscription')
      await ctx.services.membership.require(input.conversationId, ctx.user.id);
    return next();
  });
