'use client';

import type { ChatServices } from '@estuary/api';
import { createContext, type ReactNode, useContext } from 'react';

/** The server's limits that forms check before sending (MESSAGE_MAX_LENGTH, …). */
export type FormLimits = Pick<ChatServices['limits'], 'maxContentLength'>;

const LimitsContext = createContext<FormLimits | null>(null);

/**
 * Filled on the server from the limits it enforces, so the composer says "too long" at
 * exactly the length the server refuses, whatever the configuration.
 */
export function LimitsProvider({ limits, children }: { limits: FormLimits; children: ReactNode }) {
  return <LimitsContext.Provider value={limits}>{children}</LimitsContext.Provider>;
}

export function useLimits(): FormLimits {
  const limits = useContext(LimitsContext);
  if (!limits) throw new Error('useLimits() outside <LimitsProvider>');
  return limits;
}
