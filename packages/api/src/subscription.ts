import { TRPCError } from '@trpc/server';
import { pacedBy } from './backpressure';
import type { Context } from './context';
import { overloadError } from './overload';
import { PUSH, type Pushable, type PushSink } from './push';

export interface SubscriptionOptions {
  /** A subscription a socket may hold only once (`conversation.onUpdate`): its name. */
  oncePerConnection?: string;
}

/**
 * Every subscription's resolver in one shape: `open` gets an abort signal that always exists
 * (tRPC passes none to a server-side caller), and the stream it returns runs in a slot of
 * the socket's and the user's subscription budgets, at the socket's pace (./backpressure).
 */
export function openSubscription<T>(
  { ctx, signal }: { ctx: Context; signal: AbortSignal | undefined },
  open: (signal: AbortSignal) => AsyncGenerator<T>,
  options: SubscriptionOptions = {},
): AsyncGenerator<T> {
  const aborted = signal ?? new AbortController().signal;
  return inSlot(ctx, open(aborted), aborted, options);
}

/**
 * `openSubscription` for a stream that also has a push form (./push): the generator for
 * whoever iterates, and `[PUSH]` for a transport that takes values as they come. Both take
 * the same slot and turn the same errors into overload errors.
 */
export function openPushableSubscription<T>(
  { ctx, signal }: { ctx: Context; signal: AbortSignal | undefined },
  forms: {
    pull: (signal: AbortSignal) => AsyncGenerator<T>;
    push: (signal: AbortSignal, sink: PushSink<T>) => void;
  },
  options: SubscriptionOptions = {},
): Pushable<T> {
  const aborted = signal ?? new AbortController().signal;
  const stream = inSlot(ctx, forms.pull(aborted), aborted, options) as Pushable<T>;
  stream[PUSH] = (sink) => {
    let letGo: () => void;
    try {
      letGo = takeSlot(ctx, aborted, options);
    } catch (error) {
      sink.end(error);
      return;
    }
    let ended = false;
    forms.push(aborted, {
      data: sink.data,
      drain: sink.drain,
      end(error) {
        if (ended) return;
        ended = true;
        letGo();
        sink.end(error === undefined ? undefined : (overloadError(error) ?? error));
      },
    });
  };
  return stream;
}

/**
 * Takes a slot of the socket's and the user's subscription budgets, or throws
 * TOO_MANY_REQUESTS; returns what frees it (once).
 */
function takeSlot(
  ctx: Context,
  signal: AbortSignal,
  { oncePerConnection: once }: SubscriptionOptions,
): () => void {
  const { connection } = ctx;
  if (!connection) return () => {};
  const { limits, subscriptionsByUser } = ctx.services;
  const userId = ctx.auth.ok ? ctx.auth.user.id : null;
  const refuse = (message: string) => new TRPCError({ code: 'TOO_MANY_REQUESTS', message });
  if (connection.subscriptions >= limits.maxSubscriptionsPerConnection) {
    throw refuse(
      `Too many subscriptions on this connection (at most ${limits.maxSubscriptionsPerConnection})`,
    );
  }
  if (userId && (subscriptionsByUser.get(userId) ?? 0) >= limits.maxSubscriptionsPerUser) {
    throw refuse(
      `Too many subscriptions for this user (at most ${limits.maxSubscriptionsPerUser})`,
    );
  }
  if (once && connection.held?.has(once)) {
    throw refuse(`Only one ${once} per connection; it already streams every conversation`);
  }
  let holding = false;
  const letGoOnce = () => {
    if (holding && once) connection.held?.delete(once);
    holding = false;
  };
  connection.subscriptions++;
  if (once) {
    connection.held?.add(once);
    holding = true;
    // Freed the moment the client stops it, so a quick stop-and-resubscribe (a remount)
    // is not refused while this stream is still winding down.
    signal.addEventListener('abort', letGoOnce, { once: true });
  }
  if (userId) subscriptionsByUser.set(userId, (subscriptionsByUser.get(userId) ?? 0) + 1);
  let freed = false;
  return () => {
    if (freed) return;
    freed = true;
    connection.subscriptions--;
    letGoOnce();
    if (userId) {
      const left = (subscriptionsByUser.get(userId) ?? 1) - 1;
      if (left <= 0) subscriptionsByUser.delete(userId);
      else subscriptionsByUser.set(userId, left);
    }
  };
}

/** Caps the subscriptions one socket and one user may hold; frees the slot when it ends. */
async function* inSlot<T>(
  ctx: Context,
  stream: AsyncGenerator<T>,
  signal: AbortSignal,
  options: SubscriptionOptions,
): AsyncGenerator<T> {
  let letGo: () => void;
  try {
    letGo = takeSlot(ctx, signal, options);
  } catch (error) {
    await stream.return(undefined as never);
    throw error;
  }
  try {
    yield* pacedBy(ctx.connection?.drain, stream);
  } catch (error) {
    throw overloadError(error) ?? error;
  } finally {
    await stream.return(undefined as never);
    letGo();
  }
}
