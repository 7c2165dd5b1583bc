'use client';

import type { PresenceState } from '@estuary/api';
import { useMemo } from 'react';
import { useConnection } from '../lib/connection';
import { trpc } from '../lib/trpc';

/**
 * Who in a conversation is online: `presence.list` once, then `presence.onChange`. Presence
 * is not replayed after a reconnect, so the list is refetched then.
 *
 * Presence is per conversation, so a long conversation list would need one subscription
 * per row, and a socket holds at most 200. Rows past the first page pass `live: false` and
 * poll instead.
 */
export function usePresence(conversationId: string, { live = true } = {}) {
  const utils = trpc.useUtils();
  const presence = trpc.presence.list.useQuery(
    { conversationId },
    { refetchInterval: live ? false : 60_000 },
  );
  trpc.presence.onChange.useSubscription(
    { conversationId },
    {
      enabled: live,
      onData(change) {
        utils.presence.list.setData({ conversationId }, (list) => [
          ...(list ?? []).filter((p) => p.userId !== change.userId),
          change,
        ]);
      },
    },
  );
  // While our own socket is down we know nothing about anyone: claim nothing.
  const { lost } = useConnection();
  const known = useMemo(
    () => new Map((presence.data ?? []).map((p) => [p.userId, p])),
    [presence.data],
  );
  return lost ? NOBODY : known;
}

const NOBODY = new Map<string, PresenceState>();
