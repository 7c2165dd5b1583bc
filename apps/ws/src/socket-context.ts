import type { IncomingMessage } from 'node:http';
import {
  type AppRouter,
  type ChatServices,
  type Context,
  clientAddress,
  createSocketContext,
  describeError,
  errorId,
} from '@estuary/api';
import { TRPCError } from '@trpc/server';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import { CLOSE, type Connection, type Connections } from './connections';
import type { Metrics } from './metrics';

/** What either tRPC socket handler (lean or stock, WS_HANDLER) is attached with. */
export interface HandlerSetup {
  wss: WebSocketServer;
  router: AppRouter;
  services: ChatServices;
  connections: Connections;
  metrics: Metrics;
  log: Logger;
  keepAlive: { pingMs: number; pongWaitMs: number };
}

/**
 * A tRPC socket's context from its connectionParams, whichever handler serves it: the token,
 * the per-user cap, the client's address; then the socket counts as its user's.
 */
export async function openSocketContext(
  services: ChatServices,
  connections: Connections,
  connection: Connection,
  params: Record<string, string | undefined> | null,
): Promise<Context> {
  const ctx = await createSocketContext(services, params);
  // Services (no user) are not capped per user; people are.
  if (ctx.auth.ok && !connections.admitsUser(ctx.auth.user.id))
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: 'Too many open connections for this user; close one first',
    });
  // For per-address limits (a socket may call auth.login too).
  ctx.address = clientAddress(headersOf(connection.req), connection.req.socket.remoteAddress);
  connections.authenticated(connection, ctx);
  return ctx;
}

function headersOf(req: IncomingMessage): Headers {
  return new Headers(
    Object.entries(req.headers).flatMap(([k, v]) =>
      typeof v === 'string' ? [[k, v] as [string, string]] : [],
    ),
  );
}

/**
 * A refused socket: counted under its reason, and closed with a code that tells the client
 * why (4001: fetch a fresh token; 4029: too many sockets), or plainly for anything else.
 */
export function refusal(
  metrics: Metrics,
  error: TRPCError,
  reason: string | undefined,
): { code?: number; reason: string } {
  if (error.code === 'UNAUTHORIZED') {
    metrics.refused.inc({ reason: reason ?? 'unauthorized' });
    return { code: CLOSE.unauthorized, reason: error.message };
  }
  if (error.code === 'TOO_MANY_REQUESTS') {
    metrics.refused.inc({ reason: reason ?? 'sockets-per-user' });
    return { code: CLOSE.tooManySockets, reason: error.message };
  }
  if (reason) metrics.refused.inc({ reason });
  return { reason: error.message };
}

/** What a failed call or socket leaves in the log: never SQL values, tokens or content. */
export function logProcedureError(
  log: Logger,
  info: { error: TRPCError; path?: string | undefined; type: string; ctx?: Context | undefined },
) {
  const { error, path, type, ctx } = info;
  const user = ctx?.auth.ok ? ctx.auth.user.id : undefined;
  const socketError = (error.cause as { code?: string } | undefined)?.code;
  if (socketError?.startsWith('WS_ERR_')) {
    // A client broke the protocol (oversize or malformed frame); ws closes that socket.
    log.warn({ userId: user, reason: socketError }, 'client sent a bad frame; socket closed');
  } else if (error.code === 'INTERNAL_SERVER_ERROR') {
    // The client got a generic message with this id; the log never carries SQL values.
    log.error(
      { path, type, userId: user, errorId: errorId(error), err: describeError(error) },
      'procedure failed',
    );
  } else {
    log.debug({ path, type, userId: user, code: error.code }, error.message);
  }
}
