import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';
import { authErrorMessage, type Context } from './context';
import { requireParticipant } from './domain/conversations';
import { ChatError, RetryLaterError } from './domain/errors';
import { transformer } from './live/wire';
import { errorId, findControlCharacter, internalErrorMessage } from './safety';

/**
 * One tRPC instance, read top to bottom: the context (./context), then initTRPC with the
 * transformer and an error formatter that lists zod issues, then the procedures that guard
 * who may call what.
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

/**
 * No text input may carry NUL or another control character (message content may keep line
 * feeds and tabs): checked on the raw input of every procedure, before any schema or query.
 */
const refuseControlCharacters = t.middleware(async function refuseControlCharacters({
  getRawInput,
  next,
}) {
  const path = findControlCharacter(await getRawInput());
  if (path)
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `${path}: control characters are not allowed`,
    });
  return next();
});

/**
 * Counts queries and mutations in flight, so a graceful shutdown can wait for them, and
 * turns new calls away once it has begun (the client retries on another node).
 */
export const publicProcedure = t.procedure
  .use(refuseControlCharacters)
  .use(async function countInflight({ ctx, type, next }) {
    if (ctx.services.draining) {
      throw new TRPCError({
        code: 'SERVICE_UNAVAILABLE',
        message: 'Server is shutting down; retry on another node',
      });
    }
    if (type === 'subscription') return next();
    const leave = ctx.services.inflight.enter();
    try {
      return await next();
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
  const { auth } = ctx;
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
  return next({ ctx: { ...ctx, auth, user: auth.user } });
});

/** …and is a participant of `input.conversationId` (NOT_FOUND or FORBIDDEN otherwise). */
export const conversationProcedure = protectedProcedure
  .input(z.object({ conversationId: z.uuid() }))
  .use(async function isParticipant({ ctx, input, type, next }) {
    // Subscriptions check inside their stream, after attaching, so removal races are closed.
    if (type !== 'subscription')
      await requireParticipant(ctx.services.deps.db, input.conversationId, ctx.user.id);
    return next();
  });

/**
 * Caps the subscriptions one socket may hold and releases the slot when the stream ends.
 * Between yields it waits for the socket to drain, so a stream never outruns its reader
 * (a replay of thousands of events goes at the reader's pace, not into server memory).
 */
export async function* withSubscriptionSlot<T>(
  ctx: Context,
  stream: AsyncGenerator<T>,
): AsyncGenerator<T> {
  const connection = ctx.connection;
  if (connection) {
    if (connection.subscriptions >= ctx.services.limits.maxSubscriptionsPerConnection) {
      await stream.return(undefined as never);
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: 'Too many subscriptions on this connection',
      });
    }
    connection.subscriptions++;
  }
  const drain = connection?.drain;
  try {
    if (!drain) {
      yield* stream;
      return;
    }
    for (;;) {
      const wait = drain();
      if (wait) await wait;
      const next = await stream.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await stream.return(undefined as never);
    if (connection) connection.subscriptions--;
  }
}
