import { wsEncoder } from '@estuary/api';
import { getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import type { WebSocket } from 'ws';
import type { Connection, SocketPolicy } from './connections';
import { errorFrame } from './lean/frames';
import { REFUSAL_CLOSE_MS } from './lean/handler';
import { type HandlerSetup, logProcedureError, openSocketContext, refusal } from './socket-context';

/**
 * tRPC's own `applyWSSHandler` (WS_HANDLER=stock), for comparison with the lean handler; our
 * limits wrap the socket before it sees it, and a refused socket stays open a moment so its
 * pending calls get their UNAUTHORIZED before the close.
 */
export function attachStockHandler(options: HandlerSetup) {
  const { wss, router, services, connections, metrics, log } = options;
  const refuse = (c: Connection, error: TRPCError, reason: string) => {
    const close = refusal(metrics, error, reason);
    c.ws.send(
      errorFrame(router._def._config, error, {
        id: null,
        type: 'unknown',
        path: undefined,
        input: undefined,
        ctx: undefined,
      }),
    );
    closeLater(c.ws, close.code, close.reason);
  };
  const policy: SocketPolicy = {
    wrapSend: true,
    authTimedOut: (c) =>
      refuse(
        c,
        new TRPCError({
          code: 'UNAUTHORIZED',
          message: 'Authentication timed out: send connectionParams with a token on connect',
        }),
        'auth-timeout',
      ),
    expired: (c) =>
      refuse(c, new TRPCError({ code: 'UNAUTHORIZED', message: 'Token expired' }), 'token-expired'),
  };
  // Ours first: the guards must wrap `send` before tRPC's handler holds the socket.
  wss.on('connection', (ws, req) => connections.accept(ws, req, policy));
  const handler = applyWSSHandler({
    wss,
    router,
    keepAlive: { enabled: true, ...options.keepAlive },
    experimental_encoder: wsEncoder,
    createContext: async ({ res: ws, info }) => {
      const connection = connections.of(ws);
      if (!connection)
        throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'socket not accepted' });
      try {
        return await openSocketContext(services, connections, connection, info.connectionParams);
      } catch (error) {
        // tRPC answers (id null, then each pending call) and closes without a code; ours
        // closes a moment later with one that says why.
        const close = refusal(metrics, getTRPCErrorFromUnknown(error), undefined);
        if (close.code !== undefined) closeLater(ws, close.code, close.reason);
        throw error;
      }
    },
    onError: (info) => logProcedureError(log, info),
  });
  return { policy, broadcastReconnectNotification: handler.broadcastReconnectNotification };
}

/** Closes with `code` after REFUSAL_CLOSE_MS; the adapter's own code-less close is ignored. */
function closeLater(ws: WebSocket, code: number | undefined, reason: string) {
  const close = ws.close.bind(ws);
  ws.close = ((c?: number, r?: string) => {
    if (c !== undefined) close(c, r);
  }) as typeof ws.close;
  setTimeout(() => close(code, reason.slice(0, 120)), REFUSAL_CLOSE_MS).unref();
}
