import { PUSH, type Pushable } from '@estuary/api';
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
  const { connections, serialize } = handler;
  let done = false;
  let failure: { cause: unknown } | null = null;
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
    failure = { cause };
  }
  if (!done) await iterator.return?.()?.catch(() => {});
  finish(handler, session, sub, failure);
}

/**
 * A stream with a push form (@estuary/api's PUSH; today `message.onEvent` and
 * `message.onEvents`): the feed writes each event to this socket as it arrives, with no loop,
 * promise or generator step per delivery. The stream asks `drain` before each write; while
 * the socket is past `WS_BACKPRESSURE_BYTES` it writes nothing and drops live events, and
 * once the socket drains it replays from the event log after the last event it wrote, then
 * goes live again: a slow reader costs the server nothing per missed event. The frames are
 * pump's, byte for byte (the conformance suites compare them with `WS_HANDLER=stock`, which
 * iterates the same procedures' generators). `/metrics` counts these streams
 * (`estuary_ws_push_streams_total`) and their waits on a full socket
 * (`estuary_ws_push_backpressure_waits_total`).
 */
export function push(
  handler: LeanHandler,
  session: Session,
  sub: Subscription,
  stream: Pushable<unknown>,
) {
  const { connections, serialize, pushMetrics } = handler;
  const drain = session.ctx?.connection?.drain;
  pushMetrics?.started();
  stream[PUSH]({
    data: (value) => connections.write(sub.connection, dataFrame(sub.prefix, value, serialize)),
    drain: () => {
      const wait = drain?.();
      if (wait) pushMetrics?.waited();
      return wait;
    },
    end: (error) => finish(handler, session, sub, error === undefined ? null : { cause: error }),
  });
}

/** A stream's end: the error frame if it failed, then `stopped`; a silent one writes neither. */
function finish(
  handler: LeanHandler,
  session: Session,
  sub: Subscription,
  failure: { cause: unknown } | null,
) {
  const { connections, config } = handler;
  if (failure && !sub.silent) {
    const error = getTRPCErrorFromUnknown(failure.cause);
    const at = { id: sub.id, jsonrpc: sub.jsonrpc, type: 'subscription' as const };
    handler.onError({ error, path: sub.path, type: 'subscription', ctx: session.ctx });
    connections.write(
      sub.connection,
      errorFrame(config, error, { ...at, path: sub.path, input: sub.input, ctx: session.ctx }),
    );
  }
  if (!sub.silent) connections.write(sub.connection, stateFrame(sub.id, sub.jsonrpc, 'stopped'));
  if (session.subscriptions?.get(sub.id) === sub) session.subscriptions.delete(sub.id);
}
