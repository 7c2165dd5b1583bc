'use client';

import type { MessageEvent } from '@estuary/api';
import { STALE_EVENT_ID } from '@estuary/api/client-constants';
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { errorInfo } from '../lib/errors';
import { trpc } from '../lib/trpc';

interface StreamOptions {
  conversationId: string;
  /** Where to start: the `lastEventId` of the history page the view shows. Null: not yet. */
  from: string | null;
  onEvent(event: MessageEvent): void;
  /** The server can no longer resume from our id: refetch history and start again. */
  onStale(): void;
}

/**
 * `message.onEvents` (the batched `message.onEvent`) from a known point. The socket client
 * resends the last id it saw after every reconnect, so the server replays exactly what was
 * missed. If the stream ends otherwise, it restarts from the last id with a growing pause.
 */
export function useMessageStream({ conversationId, from, onEvent, onStale }: StreamOptions) {
  const client = trpc.useUtils().client;
  const lastId = useRef<string | null>(null);
  const [restarts, setRestarts] = useState(0);
  const failures = useRef(0);
  const [fatal, setFatal] = useState<string | null>(null);
  const handleEvent = useEffectEvent(onEvent);
  const handleStale = useEffectEvent(onStale);

  // A new starting point (first load, or history refetched after STALE) replaces the old one.
  useEffect(() => {
    lastId.current = from;
  }, [from]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `restarts` is the trigger that resubscribes
  useEffect(() => {
    if (from === null) return;
    let restartTimer: ReturnType<typeof setTimeout> | undefined;
    // Unsubscribing completes the observer too; that must not schedule a restart.
    let closed = false;
    const restart = () => {
      if (closed) return;
      restartTimer = setTimeout(
        () => setRestarts((n) => n + 1),
        Math.min(10_000, 1_000 * 2 ** failures.current++),
      );
    };
    const subscription = client.message.onEvents.subscribe(
      { conversationId, lastEventId: lastId.current ?? from },
      {
        onData({ id, data }) {
          lastId.current = id;
          failures.current = 0;
          for (const event of data.events) handleEvent(event);
        },
        onError(error) {
          const info = errorInfo(error);
          if (info.reason === STALE_EVENT_ID) return handleStale();
          if (info.code === 'FORBIDDEN' || info.code === 'NOT_FOUND') return setFatal(info.message);
          restart();
        },
        onComplete: restart,
      },
    );
    return () => {
      closed = true;
      clearTimeout(restartTimer);
      subscription.unsubscribe();
    };
  }, [client, conversationId, from, restarts]);

  return { fatal };
}
