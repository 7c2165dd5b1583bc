'use client';

import type { User } from '@estuary/api';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { OutboxProvider } from '../chat/outbox-context';
import { ConnectionProvider } from '../lib/connection';
import { chatLinks } from '../lib/links';
import { SessionProvider } from '../lib/session';
import { createSocket } from '../lib/socket';
import { trpc } from '../lib/trpc';

function socketUrl(configured: string | null): string {
  if (configured) return configured;
  const secure = window.location.protocol === 'https:';
  return `${secure ? 'wss' : 'ws'}://${window.location.hostname}:3001`;
}

/**
 * Everything a signed-in page needs: the user, one socket to apps/ws, the tRPC client over
 * it and HTTP, the query cache, and the outbox of messages not yet sent.
 */
export function Providers(props: { wsUrl: string | null; user: User; children: ReactNode }) {
  const { wsUrl, user, children } = props;
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: { queries: { staleTime: 30_000, retry: 2, refetchOnWindowFocus: false } },
      }),
  );
  // A function: evaluated at connect time, in the browser (this also renders on the server).
  const [socket] = useState(() => createSocket(() => socketUrl(wsUrl)));
  const [trpcClient] = useState(() => trpc.createClient({ links: chatLinks(socket) }));
  return (
    <SessionProvider user={user}>
      <ConnectionProvider socket={socket}>
        <trpc.Provider client={trpcClient} queryClient={queryClient}>
          <QueryClientProvider client={queryClient}>
            <OutboxProvider>{children}</OutboxProvider>
          </QueryClientProvider>
        </trpc.Provider>
      </ConnectionProvider>
    </SessionProvider>
  );
}
