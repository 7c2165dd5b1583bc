'use client';

import { createContext, type ReactNode, useContext, useSyncExternalStore } from 'react';
import type { ConnectionSnapshot, Socket } from './socket';

const ConnectionContext = createContext<Socket | null>(null);

export function ConnectionProvider({ socket, children }: { socket: Socket; children: ReactNode }) {
  return <ConnectionContext.Provider value={socket}>{children}</ConnectionContext.Provider>;
}

function useSocket(): Socket {
  const socket = useContext(ConnectionContext);
  if (!socket) throw new Error('useConnection() outside <ConnectionProvider>');
  return socket;
}

const SERVER_SNAPSHOT: ConnectionSnapshot = {
  state: 'idle',
  lost: false,
  retryAt: null,
  reconnects: 0,
};

/** How the socket to apps/ws is doing, re-rendering on every change. */
export function useConnection(): ConnectionSnapshot {
  const socket = useSocket();
  return useSyncExternalStore(socket.subscribe, socket.getSnapshot, () => SERVER_SNAPSHOT);
}

/** Closes the socket for good (sign out). */
export function useCloseConnection(): () => Promise<void> {
  return useSocket().close;
}
