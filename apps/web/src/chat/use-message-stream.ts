'use client';

import type { MessageEvent } from '@estuary/api';
import { followEvents } from '@estuary/client/follow';
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { trpc } from '../lib/trpc';

interface StreamOptions {
  conversationId: string;
  /** Where to start: the `lastEventId` of the history page the view shows. Null: not yet. */
  from: string | null;
  onEvent(event: MessageEvent): void;
  /** Load history afresh (the server can no longer resume from our id); resolve to its last id. */
  refetch(): Promise<string>;
}

/**
 * `message.onEvents` (the batched `message.onEvent`) from a known point, kept going by the
 * client package's resume loop (`followEvents`): the same lastEventId tracking, backoff,
 * stale refetch and fatal codes as every other client of the API.
 */
export function useMessageStream({ conversationId, from, onEvent, refetch }: StreamOptions) {
  const client = trpc.useUtils().client;
  // Where a restarted effect (strict mode, a new client) picks up: the loop's last id.
  const resumeFrom = useRef<string | null | undefined>(undefined);
  const [fatal, setFatal] = useState<string | null>(null);
  const handleEvent = useEffectEvent(onEvent);
  const handleRefetch = useEffectEvent(refetch);

  useEffect(() => {
    if (from === null) return;
    const follow = followEvents(client, {
      conversationId,
      lastEventId: resumeFrom.current === undefined ? from : resumeFrom.current,
      refetch: () => handleRefetch(),
      onEvents(events) {
        for (const event of events) handleEvent(event);
      },
      onFatal: (error) => setFatal(error.message),
    });
    return () => {
      resumeFrom.current = follow.lastEventId;
      follow.close();
    };
  }, [client, conversationId, from]);

  return { fatal };
}
