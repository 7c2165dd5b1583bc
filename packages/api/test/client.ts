import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  splitLink,
  type TRPCClient,
  wsLink,
} from '@trpc/client';
import superjson from 'superjson';
import WebSocket from 'ws';
import type { AppRouter } from '../src';
import { HTTP_MAX_BATCH } from '../src/client-constants';

export type TestClient = TRPCClient<AppRouter> & { close(): Promise<void> };

/**
 * A plain tRPC client, wired as every real client is: HTTP for queries and mutations, one
 * lazy WebSocket for subscriptions with the token in connectionParams. (The product's
 * client, @estuary/client, builds on this package, so it cannot be used here.)
 */
export function testClient(options: {
  httpUrl: string;
  wsUrl: string;
  getToken: () => string | Promise<string>;
}): TestClient {
  const socket = createWSClient({
    url: options.wsUrl,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: async () => ({ token: await options.getToken() }),
    lazy: { enabled: true, closeMs: 1_000 },
    retryDelayMs: () => 50,
  });
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink({ client: socket, transformer: superjson }),
        false: httpBatchLink({
          url: options.httpUrl,
          maxItems: HTTP_MAX_BATCH,
          transformer: superjson,
          headers: async () => {
            const token = await options.getToken();
            return token ? { authorization: `Bearer ${token}` } : {};
          },
        }),
      }),
    ],
  });
  return new Proxy(client, {
    get: (target, key, receiver) =>
      key === 'close' ? () => socket.close() : Reflect.get(target, key, receiver),
  }) as TestClient;
}
