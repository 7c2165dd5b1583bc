'use client';

import { backoffDelay } from '@estuary/client/follow';
import { createWSClient } from '@trpc/client';
import { forgetAccessToken, getAccessToken, SignedOutError } from './token';

export interface ConnectionSnapshot {
  /** `open` once the socket is up; `connecting` covers both the first try and reconnects. */
  state: 'idle' | 'connecting' | 'open';
  /** The socket was up before and dropped: we are reconnecting, not connecting. */
  lost: boolean;
  /** When the next reconnect attempt starts (epoch ms), while one is scheduled. */
  retryAt: number | null;
  /** Counts successful reconnects, so state that is not replayed can be refetched. */
  reconnects: number;
}

export interface Socket {
  client: ReturnType<typeof createWSClient>;
  getSnapshot(): ConnectionSnapshot;
  subscribe(listener: () => void): () => void;
  close(): Promise<void>;
}

async function tokenOrSignIn(): Promise<string> {
  try {
    return await getAccessToken();
  } catch (error) {
    if (error instanceof SignedOutError) window.location.assign('/login');
    throw error;
  }
}

/**
 * The one WebSocket to apps/ws, plus a small store that says how it is doing. tRPC's
 * `connectionState` tells open/connecting but not when the next retry is due, so the retry
 * delay function records it as tRPC asks for it.
 */
export function createSocket(url: () => string): Socket {
  let snapshot: ConnectionSnapshot = { state: 'idle', lost: false, retryAt: null, reconnects: 0 };
  let everOpen = false;
  const listeners = new Set<() => void>();
  const update = (patch: Partial<ConnectionSnapshot>) => {
    snapshot = { ...snapshot, ...patch };
    for (const listener of listeners) listener();
  };

  const client = createWSClient({
    url,
    // Evaluated on every (re)connect. A reconnect always mints a new token: the server may
    // have closed us for expiry by its clock while ours (skewed) still trusts the cached one,
    // and a refused token would otherwise be offered again and again.
    connectionParams: async () => {
      if (everOpen || snapshot.lost) forgetAccessToken();
      return { token: await tokenOrSignIn() };
    },
    // Lazy: nothing connects until the first subscription, and never during server rendering.
    lazy: { enabled: true, closeMs: 30_000 },
    keepAlive: { enabled: true, intervalMs: 15_000, pongTimeoutMs: 5_000 },
    retryDelayMs: (attempt) => {
      const delay = backoffDelay(attempt);
      update({ retryAt: Date.now() + delay });
      return delay;
    },
  });

  client.connectionState.subscribe({
    next(state) {
      if (state.state === 'pending') {
        update({
          state: 'open',
          lost: false,
          retryAt: null,
          reconnects: everOpen ? snapshot.reconnects + 1 : 0,
        });
        everOpen = true;
      } else if (state.state === 'connecting') {
        update({ state: 'connecting', lost: everOpen || state.error !== null });
      } else {
        update({ state: 'idle', retryAt: null });
      }
    },
  });

  return {
    client,
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => client.close(),
  };
}
