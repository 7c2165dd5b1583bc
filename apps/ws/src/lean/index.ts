import {
  type HandlerSetup,
  logProcedureError,
  openSocketContext,
  refusal,
} from '../socket-context';
import { LeanHandler } from './handler';

/** The lean handler (./handler) on `wss`'s sockets: the default tRPC transport of apps/ws. */
export function attachLeanHandler(setup: HandlerSetup) {
  const { wss, services, connections, metrics, log } = setup;
  const handler = new LeanHandler({
    router: setup.router,
    connections,
    keepAlive: setup.keepAlive,
    createContext: (connection, params) =>
      openSocketContext(services, connections, connection, params),
    refused: (error, reason) => refusal(metrics, error, reason),
    onError: (info) => logProcedureError(log, info),
    pushMetrics: {
      started: () => metrics.pushStreams.inc(),
      waited: () => metrics.pushWaits.inc(),
    },
  });
  wss.on('connection', (ws, req) => handler.open(connections.accept(ws, req, handler.policy)));
  return {
    policy: handler.policy,
    broadcastReconnectNotification: () => handler.broadcastReconnectNotification(),
  };
}
