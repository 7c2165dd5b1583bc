import type { AppRouter, ChatServices } from '@estuary/api';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import type { Connections } from '../connections';
import type { Metrics } from '../metrics';
import { logProcedureError, openSocketContext, refusal } from '../socket-context';
import { LeanHandler } from './handler';

export interface LeanHandlerSetup {
  wss: WebSocketServer;
  router: AppRouter;
  services: ChatServices;
  connections: Connections;
  metrics: Metrics;
  log: Logger;
  keepAlive: { pingMs: number; pongWaitMs: number };
}

/** The lean handler (./handler) on `wss`'s sockets: the default tRPC transport of apps/ws. */
export function attachLeanHandler(setup: LeanHandlerSetup) {
  const { wss, services, connections, metrics, log } = setup;
  const handler = new LeanHandler({
    router: setup.router,
    connections,
    keepAlive: setup.keepAlive,
    createContext: (connection, params) =>
      openSocketContext(services, connections, connection, params),
    refused: (error, reason) => refusal(metrics, error, reason),
    onError: (info) => logProcedureError(log, info),
  });
  wss.on('connection', (ws, req) => handler.open(connections.accept(ws, req, handler.policy)));
  return {
    policy: handler.policy,
    broadcastReconnectNotification: () => handler.broadcastReconnectNotification(),
  };
}
