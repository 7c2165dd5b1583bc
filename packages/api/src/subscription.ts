import { TRPCError } from '@trpc/server';
import { pacedBy } from './backpressure';
import type { Context } from './context';
import { overloadError } from './overload';

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

/** Caps the subscriptions one socket and one user may hold; frees the slot when it ends. */
async function* inSlot<T>(
  ctx: Context,
  stream: AsyncGenerator<T>,
  signal: AbortSignal,
  { oncePerConnection: once }: SubscriptionOptions,
): AsyncGenerator<T> {
  const { connection } = ctx;
  const { limits, subscriptionsByUser } = ctx.services;
  const userId = ctx.auth.ok ? ctx.auth.user.id : null;
  const refuse = async (message: string) => {
    await stream.return(undefined as never);
    throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message });
  };
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
      signal.addEventListener('abort', letGo, { once: true });
    }
    if (userId) subscriptionsByUser.set(userId, (subscriptionsByUser.get(userId) ?? 0) + 1);
  }
  try {
    yield* pacedBy(connection?.drain, stream);
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
