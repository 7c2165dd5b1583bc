'use client';

import { useEffect } from 'react';
import { useConnection } from '../lib/connection';
import { trpc } from '../lib/trpc';

/**
 * Message events are replayed after a reconnect, but conversation summaries, presence and
 * receipts are not: whatever changed while the socket was down is refetched instead.
 */
export function useRefetchOnReconnect() {
  const { reconnects } = useConnection();
  const utils = trpc.useUtils();
  useEffect(() => {
    if (reconnects === 0) return;
    void utils.conversation.list.invalidate();
    void utils.presence.list.invalidate();
    void utils.receipt.list.invalidate();
  }, [reconnects, utils]);
}
