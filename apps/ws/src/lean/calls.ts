import { isPushable } from '@estuary/api';
import { callTRPCProcedure, getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import { isObservable, observableToAsyncIterable } from '@trpc/server/observable';
import { isAsyncIterable, isObject } from '@trpc/server/unstable-core-do-not-import';
import type { Connection } from '../connections';
import { type CallType, errorFrame, type RequestId, responseFrame, stateFrame } from './frames';
import type { LeanHandler } from './handler';
import type { Session } from './session';
import { pump, push, Subscription } from './subscription';

/** One parsed request, as `parseTRPCMessage` returns it. */
export interface Request {
  id: RequestId;
  jsonrpc?: '2.0' | undefined;
  method: 'query' | 'mutation' | 'subscription' | 'subscription.stop';
  params?: { path: string; input: unknown; lastEventId?: string | undefined };
}

// Queries and mutations get a signal that never fires, as from the stock adapter.
const never = new AbortController().signal;

/** One request of a frame (batchIndex: its place in an array frame), as the stock adapter does it. */
export function handleRequest(
  handler: LeanHandler,
  connection: Connection,
  session: Session,
  msg: Request,
  batchIndex: number,
) {
  const { id, jsonrpc } = msg;
  const { config } = handler;
  if (id === null) {
    const error = new TRPCError({ code: 'PARSE_ERROR', message: '`id` is required' });
    handler.onError({ error, path: undefined, type: 'unknown', ctx: session.ctx });
    const at = { id, jsonrpc, type: 'unknown' as const, path: undefined, input: undefined };
    handler.connections.write(connection, errorFrame(config, error, { ...at, ctx: session.ctx }));
    return;
  }
  if (msg.method === 'subscription.stop') {
    session.subscriptions?.get(id)?.stop(false);
    return;
  }
  const params = msg.params as NonNullable<Request['params']>;
  const { path, lastEventId } = params;
  const type: CallType = msg.method;
  let input = params.input;
  if (lastEventId !== undefined) {
    if (isObject(input)) input = { ...input, lastEventId };
    else input ??= { lastEventId };
  }
  void run(handler, connection, session, { id, jsonrpc, type, path, input }, batchIndex);
}

interface Call {
  id: RequestId;
  jsonrpc: '2.0' | undefined;
  type: CallType;
  path: string;
  input: unknown;
}

async function run(
  handler: LeanHandler,
  connection: Connection,
  session: Session,
  call: Call,
  batchIndex: number,
) {
  const { config, connections } = handler;
  const { id, jsonrpc, type, path, input } = call;
  if (type !== 'subscription' && !session.calls) session.calls = new Map();
  const running = type === 'subscription' ? null : session.calls;
  running?.set(id, { type, path, jsonrpc });
  // Made before the call: the procedure gets its signal, which `subscription.stop` aborts.
  const sub =
    type === 'subscription' ? new Subscription(connection, id, jsonrpc, path, input) : null;
  try {
    if (session.ctx === undefined && !session.refusal) await session.ready;
    if (session.refusal) {
      // Refused after it was in (an expired or revoked token): a new subscription ends without
      // a word, like the running ones, so the client resubscribes after its reconnect instead
      // of taking UNAUTHORIZED as final.
      if (sub && session.ctx !== undefined) return;
      throw session.refusal;
    }
    const entry = running?.get(id);
    if (entry) entry.dispatched = true;
    const result = await callTRPCProcedure({
      router: handler.router,
      path,
      getRawInput: async () => input,
      ctx: session.ctx,
      type: type as 'query',
      signal: sub?.controller.signal ?? never,
      batchIndex,
    });
    const iterable = isAsyncIterable(result) || isObservable(result);
    if (type !== 'subscription') {
      if (iterable)
        throw new TRPCError({
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: `Cannot return an async iterable or observable from a ${type} procedure with WebSockets`,
        });
      // A refused socket answered this call already (see LeanHandler.refuse).
      if (running?.delete(id) === false) return;
      connections.write(
        connection,
        responseFrame(config, { id, jsonrpc, result: { type: 'data', data: result } }),
      );
      return;
    }
    subscribe(handler, connection, session, sub as Subscription, result);
  } catch (cause) {
    if (running && !running.delete(id)) return;
    const error = getTRPCErrorFromUnknown(cause);
    handler.onError({ error, path, type, ctx: session.ctx });
    connections.write(connection, errorFrame(config, error, { ...call, ctx: session.ctx }));
  }
}

function subscribe(
  handler: LeanHandler,
  connection: Connection,
  session: Session,
  sub: Subscription,
  result: unknown,
) {
  const { id, jsonrpc, path } = sub;
  if (!isAsyncIterable(result) && !isObservable(result))
    throw new TRPCError({
      message: `Subscription ${path} did not return an observable or a AsyncGenerator`,
      code: 'INTERNAL_SERVER_ERROR',
    });
  if (session.closed || session.refusal) return;
  if (!session.subscriptions) session.subscriptions = new Map();
  const subscriptions = session.subscriptions;
  if (subscriptions.has(id))
    throw new TRPCError({ message: `Duplicate id ${id}`, code: 'BAD_REQUEST' });
  const iterable = isObservable(result)
    ? observableToAsyncIterable(result, sub.controller.signal)
    : (result as AsyncIterable<unknown>);
  subscriptions.set(id, sub);
  if (isPushable(result)) {
    // Nothing of a push stream is written before it is asked for: `started` goes first, as
    // with pump, whose first value cannot come before the next tick.
    handler.connections.write(connection, stateFrame(id, jsonrpc, 'started'));
    push(handler, session, sub, result);
    return;
  }
  void pump(handler, session, sub, iterable[Symbol.asyncIterator]());
  handler.connections.write(connection, stateFrame(id, jsonrpc, 'started'));
}
