import { getTRPCErrorFromUnknown } from '@trpc/server';
import type { Connection } from '../connections';
import { dataFrame, dataPrefix, errorFrame, type RequestId, stateFrame } from './frames';
import type { LeanHandler } from './handler';
import type { Session } from './session';

/**
 * One running subscription: its frame prefix, computed once, and the stream it reads. A value
 * becomes prefix + its text; there is no race against an abort promise per value: a stop
 * aborts the procedure's signal, which ends the stream, and the loop sees `stopped`.
 */
export class Subscription {
  readonly prefix: string;
  readonly controller = new AbortController();
  stopped = false;
  /** Refused or closed: end without a `stopped` frame (the client reconnects and resumes). */
  silent = false;

  constructor(
    readonly connection: Connection,
    readonly id: RequestId,
    readonly jsonrpc: '2.0' | undefined,
    readonly path: string,
    readonly input: unknown,
  ) {
    this.prefix = dataPrefix(id, jsonrpc);
  }

  stop(silent: boolean) {
    this.stopped = true;
    this.silent ||= silent;
    this.controller.abort();
  }
}

/** Reads the stream to its end, writing each value; then `stopped` (after an error frame if it failed). */
export async function pump(
  handler: LeanHandler,
  session: Session,
  sub: Subscription,
  iterator: AsyncIterator<unknown>,
) {
  const { connections, serialize, config } = handler;
  let done = false;
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      if (sub.stopped) break;
      connections.write(sub.connection, dataFrame(sub.prefix, next.value, serialize));
    }
  } catch (cause) {
    done = true; // a generator that threw is finished
    if (!sub.silent) {
      const error = getTRPCErrorFromUnknown(cause);
      const at = { id: sub.id, jsonrpc: sub.jsonrpc, type: 'subscription' as const };
      handler.onError({ error, path: sub.path, type: 'subscription', ctx: session.ctx });
      connections.write(
        sub.connection,
        errorFrame(config, error, { ...at, path: sub.path, input: sub.input, ctx: session.ctx }),
      );
    }
  }
  if (!done) await iterator.return?.()?.catch(() => {});
  if (!sub.silent) connections.write(sub.connection, stateFrame(sub.id, sub.jsonrpc, 'stopped'));
  if (session.subscriptions?.get(sub.id) === sub) session.subscriptions.delete(sub.id);
}
