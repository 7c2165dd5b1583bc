import type { Context } from '@estuary/api';
import type { TRPCError } from '@trpc/server';
import type { CallType, RequestId } from './frames';
import type { Subscription } from './subscription';

/** A query or mutation still running, kept so a refusal can still answer it. */
export interface RunningCall {
  type: CallType;
  path: string;
  jsonrpc: '2.0' | undefined;
  /**
   * The procedure runs (its socket was authenticated when it began): a refusal does not
   * answer it with UNAUTHORIZED, since it may still commit; the close tells the client to retry.
   */
  dispatched?: boolean;
}

/**
 * The lean handler's per-socket protocol state (hung off the socket's Connection). Maps are
 * made on first use: most sockets hold a few subscriptions and no running call.
 */
export class Session {
  ctx: Context | undefined = undefined;
  /** Settles once the context is known; null while the socket still owes connectionParams. */
  ready: Promise<void> | null = null;
  /** Set once the socket is refused (no token, a bad one, or it expired): calls get this. */
  refusal: TRPCError | null = null;
  subscriptions: Map<RequestId, Subscription> | null = null;
  calls: Map<RequestId, RunningCall> | null = null;
  /** The socket closed: a subscription whose call is still resolving must not start. */
  closed = false;
}
