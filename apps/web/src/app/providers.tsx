'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createWSClient, httpBatchLink, splitLink, wsLink } from '@trpc/client';
import { type ReactNode, useState } from 'react';
import superjson from 'superjson';
import { getAccessToken, SignedOutError } from '../lib/token';
import { trpc } from '../lib/trpc';

function socketUrl(configured: string | null): string {
  if (configured) return configured;
  const secure = window.location.protocol === 'https:';
  return `${secure ? 'wss' : 'ws'}://${window.location.hostname}:3001`;
}

async function tokenOrSignIn(): Promise<string> {
  try {
    return await getAccessToken();
  } catch (error) {
    if (error instanceof SignedOutError && window.location.pathname !== '/login') {
      window.location.assign('/login');
    }
    throw error;
  }
}

/**
 * Queries and mutations go over HTTP to /api/trpc with a bearer header; subscriptions go over
 * one socket to apps/ws, whose connectionParams fetch a fresh token on every (re)connect.
 */
export function Providers({ wsUrl, children }: { wsUrl: string | null; children: ReactNode }) {
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 30_000, retry: 1 } } }),
  );
  const [trpcClient] = useState(() => {
    const socket = createWSClient({
      // A function: evaluated at connect time, in the browser (this also renders on the server).
      url: () => socketUrl(wsUrl),
      connectionParams: async () => ({ token: await tokenOrSignIn() }),
      lazy: { enabled: true, closeMs: 10_000 },
      keepAlive: { enabled: true, intervalMs: 15_000, pongTimeoutMs: 5_000 },
      retryDelayMs: (attempt) => (attempt === 0 ? 0 : Math.min(10_000, 500 * 2 ** attempt)),
    });
    return trpc.createClient({
      links: [
        splitLink({
          condition: (op) => op.type === 'subscription',
          true: wsLink({ client: socket, transformer: superjson }),
          false: httpBatchLink({
            url: '/api/trpc',
            transformer: superjson,
            headers: async () => ({ authorization: `Bearer ${await tokenOrSignIn()}` }),
          }),
        }),
      ],
    });
  });
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </trpc.Provider>
  );
}
