import { createTRPCClient, createWSClient, type TRPCClient, wsLink } from '@trpc/client';
import superjson from 'superjson';
import WebSocket from 'ws';
import type { AppRouter } from '../src';

export {
  AUDIENCE,
  ISSUER,
  newKey,
  platformToken,
  type SigningKey,
  startJwksServer,
} from '../src/testing-platform';

export type SocketClient = TRPCClient<AppRouter> & { close(): Promise<void> };

/** A client that does everything over one WebSocket, as apps/ws serves it. */
export function socketClient(wsUrl: string, token: string): SocketClient {
  const socket = createWSClient({
    url: wsUrl,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: () => ({ token }),
    retryDelayMs: () => 200,
  });
  const client = createTRPCClient<AppRouter>({
    links: [wsLink({ client: socket, transformer: superjson })],
  });
  return new Proxy(client, {
    get: (target, key, receiver) =>
      key === 'close' ? () => socket.close() : Reflect.get(target, key, receiver),
  }) as SocketClient;
}
