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

function onNetworkChange(listener: () => void) {
  window.addEventListener('online', listener);
  window.addEventListener('offline', listener);
  return () => {
    window.removeEventListener('online', listener);
    window.removeEventListener('offline', listener);
  };
}

/**
 * Whether requests can reach us: the browser has a network and the socket to apps/ws is up.
 * The socket alone is not enough: a socket can outlive the network for a while (until its
 * keep-alive notices), and browsers' offline emulation leaves open sockets alone. Costs no
 * request: both signals are already there.
 */
export function useReachable(): boolean {
  const socketUp = useConnection().state === 'open';
  const network = useSyncExternalStore(
    onNetworkChange,
    () => navigator.onLine,
    () => true,
  );
  return socketUp && network;
}
