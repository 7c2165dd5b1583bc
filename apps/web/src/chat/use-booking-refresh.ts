import type { Message } from '@estuary/api';
import { useEffect, useRef } from 'react';

/**
 * A booking that is cancelled or rescheduled posts a system message in its conversation;
 * when a new one arrives, the header's copy of the booking is refetched so it follows.
 */
export function useRefreshOnSystemMessage(messages: Message[], refresh: () => void) {
  let latest: string | undefined;
  for (let i = messages.length - 1; i >= 0 && latest === undefined; i--) {
    const message = messages[i];
    if (message?.kind === 'system') latest = message.id;
  }
  const seen = useRef(latest);
  useEffect(() => {
    if (latest === seen.current) return;
    seen.current = latest;
    refresh();
  }, [latest, refresh]);
}
