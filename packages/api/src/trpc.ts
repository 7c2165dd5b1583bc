import { initTRPC, type ProcedureType, TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';
import { authErrorMessage, type Context } from './context';
import { requireParticipant } from './domain/conversations';
import { ChatError, RetryLaterError } from './domain/errors';
import { transformer } from './live/wire';
import { overloadError } from './overload';
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
      const result = await next();
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
  options: { oncePerConnection?: string; signal?: AbortSignal | undefined } = {},
): AsyncGenerator<T> {
  const connection = ctx.connection;
  const { limits, subscriptionsByUser } = ctx.services;
  const userId = ctx.auth.ok ? ctx.auth.user.id : null;
  const refuse = async (message: string) => {
    await stream.return(undefined as never);
    throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message });
  };
  const once = options.oncePerConnection;
  let holding = false;
  const letGo = () => {
    if (holding && once) connection?.held?.delete(once);
    holding = false;
  };
  if (connection) {
    if (connection.subscriptions >= limits.maxSubscriptionsPerConnection) {
      await refuse(
        `Too many subscriptions on this connection (at most ${limits.maxSubscriptionsPerConnection})`,
      );
    }
    if (userId && (subscriptionsByUser.get(userId) ?? 0) >= limits.maxSubscriptionsPerUser) {
      await refuse(
        `Too many subscriptions for this user (at most ${limits.maxSubscriptionsPerUser})`,
      );
    }
    if (once && connection.held?.has(once)) {
      await refuse(`Only one ${once} per connection; it already streams every conversation`);
    }
    connection.subscriptions++;
    if (once) {
      connection.held?.add(once);
      holding = true;
      // Freed the moment the client stops it, so a quick stop-and-resubscribe (a remount)
      // is not refused while this stream is still winding down.
      options.signal?.addEventListener('abort', letGo, { once: true });
    }
    if (userId) subscriptionsByUser.set(userId, (subscriptionsByUser.get(userId) ?? 0) + 1);
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
  } catch (error) {
    throw overloadError(error) ?? error;
  } finally {
    await stream.return(undefined as never);
    if (connection) {
      connection.subscriptions--;
      letGo();
      if (userId) {
        const left = (subscriptionsByUser.get(userId) ?? 1) - 1;
        if (left <= 0) subscriptionsByUser.delete(userId);
        else subscriptionsByUser.set(userId, left);
      }
    }
  }
}
