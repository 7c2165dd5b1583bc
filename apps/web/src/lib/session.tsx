'use client';

import type { User } from '@estuary/api';
import { createContext, type ReactNode, useContext } from 'react';

const SessionContext = createContext<User | null>(null);

/** The signed-in user, resolved on the server from the session cookie before any render. */
export function SessionProvider({ user, children }: { user: User; children: ReactNode }) {
  return <SessionContext.Provider value={user}>{children}</SessionContext.Provider>;
}

export function useMe(): User {
  const user = useContext(SessionContext);
  if (!user) throw new Error('useMe() outside <SessionProvider>');
  return user;
}
