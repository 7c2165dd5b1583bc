import type { AppRouter } from '@estuary/api';
import { HTTP_MAX_BATCH } from '@estuary/api/client-constants';
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
  type TRPCLink,
  wsLink,
} from '@trpc/client';
import { observable } from '@trpc/server/observable';
import superjson from 'superjson';
import WebSocket from 'ws';
import { backoffDelay } from './follow';

export interface ChatClientOptions {
  /** apps/web's tRPC endpoint, e.g. http://localhost:3000/api/trpc. Without it, everything goes over the socket. */
  httpUrl?: string;
  /**
   * apps/ws, e.g. ws://localhost:3001, or a function called on every (re)connect, which can
   * pick another node when one goes away.
   */
  wsUrl: string | (() => string | Promise<string>);
  /** A fixed token, or a function that returns a current one (called on every connect and request). */
  token?: string;
  getToken?: () => string | Promise<string>;
  /** Delay before reconnect attempt N (0-based). Default `backoffDelay`: 0, then 1, 2, 4, 8 s, capped at 10 s, with jitter. */
  retryDelayMs?: (attempt: number) => number;
  /** How long an idle socket stays open. Default 1 s. */
  idleCloseMs?: number;
  onOpen?: () => void;
  onClose?: (cause?: { code?: number }) => void;
}

export type ChatClient = TRPCClient<AppRouter> & {
  /** Closes the socket; the client cannot be used afterwards. */
  close(): Promise<void>;
  /** The underlying socket client (connection state, reconnect). */
  readonly socket: ReturnType<typeof createWSClient>;
};

/** Servers refuse frames over 64 KiB (API.md); stay clear of it with room for framing. */
export const MAX_FRAME_BYTES = 60 * 1024;

/**
 * tRPC's socket client sends every call made in the same tick as one JSON array frame. A
 * few large messages sent together would exceed the server's frame limit and be refused
 * (and refused again on every retry). A batch that is too big goes as one frame per call.
 */
class FrameLimitedWebSocket extends WebSocket {
  override send(data: unknown, ...rest: unknown[]): void {
    if (
      typeof data === 'string' &&
      data.startsWith('[') &&
      Buffer.byteLength(data) > MAX_FRAME_BYTES
    ) {
      for (const message of JSON.parse(data) as unknown[]) super.send(JSON.stringify(message));
      return;
    }
    (super.send as (data: unknown, ...rest: unknown[]) => void)(data, ...rest);
  }
}

export const CONNECTION_LOST =
  'Connection lost before the server answered; the call may or may not have run. Retry it (sends are safe to retry with the same clientId).';

/**
 * When a socket drops, tRPC fails the calls waiting on it with "Unknown error". Say what
 * happened instead, so callers (and people reading logs) know a retry is the answer.
 */
const explainDrops: TRPCLink<AppRouter> =
  () =>
  ({ next, op }) =>
    observable((observer) =>
      next(op).subscribe({
        next: (value) => observer.next(value),
        complete: () => observer.complete(),
        error: (error) => {
          const transport =
            error instanceof TRPCClientError &&
            error.data === undefined &&
            error.shape === undefined;
          observer.error(
            transport ? new TRPCClientError(CONNECTION_LOST, { cause: error }) : error,
          );
        },
      }),
    );

/**
 * A typed client of the chat API: queries and mutations over HTTP (when `httpUrl` is given),
 * subscriptions over one WebSocket whose token travels in connectionParams.
 */
export function createChatClient(options: ChatClientOptions): ChatClient {
  const getToken = options.getToken ?? (() => options.token ?? '');
  const socket = createWSClient({
    url: options.wsUrl,
    WebSocket: FrameLimitedWebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: async () => ({ token: await getToken() }),
    // The same policy as the stream's restarts.
    retryDelayMs: options.retryDelayMs ?? ((attempt) => backoffDelay(attempt)),
    keepAlive: { enabled: true, intervalMs: 15_000, pongTimeoutMs: 5_000 },
    // The socket opens with the first subscription (or socket call) and closes a moment
    // after the last one ends, so a client that only queries never looks "online".
    lazy: { enabled: true, closeMs: options.idleCloseMs ?? 1_000 },
    onOpen: options.onOpen,
    onClose: options.onClose,
  });
  const overSocket = wsLink<AppRouter>({ client: socket, transformer: superjson });
  const overHttp: TRPCLink<AppRouter> | null = options.httpUrl
    ? httpBatchLink({
        url: options.httpUrl,
        transformer: superjson,
        maxItems: HTTP_MAX_BATCH, // the server refuses bigger batches
        headers: async () => {
          const token = await getToken();
          return token ? { authorization: `Bearer ${token}` } : {};
        },
      })
    : null;
  const client = createTRPCClient<AppRouter>({
    links: [
      explainDrops,
      overHttp
        ? splitLink({
            condition: (op) => op.type === 'subscription',
            true: overSocket,
            false: overHttp,
          })
        : overSocket,
    ],
  });
  const close = () => socket.close();
  // The tRPC client is a proxy that answers every property; wrap it to add ours.
  return new Proxy(client, {
    get(target, key, receiver) {
      if (key === 'close') return close;
      if (key === 'socket') return socket;
      return Reflect.get(target, key, receiver);
    },
  }) as ChatClient;
}
