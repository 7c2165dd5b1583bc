'use client';

import type { AppRouter } from '@estuary/api';
import { HTTP_MAX_BATCH } from '@estuary/api/client-constants';
import { httpBatchLink, splitLink, type TRPCLink, wsLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import superjson from 'superjson';
import { errorInfo } from './errors';
import type { Socket } from './socket';
import { forgetAccessToken, getAccessToken, SignedOutError } from './token';

async function bearer(): Promise<Record<string, string>> {
  try {
    return { authorization: `Bearer ${await getAccessToken()}` };
  } catch (error) {
    if (error instanceof SignedOutError) window.location.assign('/login');
    throw error;
  }
}

/**
 * An access token can be refused before its clock says so (a restarted server with a new
 * secret, a revoked user). Drop the cached token and try once more with a fresh one.
 */
const retryUnauthorized: TRPCLink<AppRouter> =
  () =>
  ({ op, next }) =>
    observable((observer) => {
      let retried = false;
      let current: { unsubscribe(): void } | null = null;
      const attempt = () => {
        current = next(op).subscribe({
          next: (value) => observer.next(value),
          complete: () => observer.complete(),
          error(error) {
            if (
              !retried &&
              op.type !== 'subscription' &&
              errorInfo(error).code === 'UNAUTHORIZED'
            ) {
              retried = true;
              forgetAccessToken();
              attempt();
              return;
            }
            observer.error(error);
          },
        });
      };
      attempt();
      return () => current?.unsubscribe();
    });

/**
 * Subscriptions over the socket to apps/ws; queries and mutations over HTTP to /api/trpc
 * with a bearer header. The token never goes in a URL.
 */
export function chatLinks(socket: Socket): TRPCLink<AppRouter>[] {
  return [
    retryUnauthorized,
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: wsLink({ client: socket.client, transformer: superjson }),
      false: httpBatchLink({
        url: '/api/trpc',
        transformer: superjson,
        headers: bearer,
        // Many rows each ask for their presence at once; keep batched GET URLs a sane length.
        maxURLLength: 4_000,
        // The server refuses bigger batches.
        maxItems: HTTP_MAX_BATCH,
      }),
    }),
  ];
}
