'use client';

import type { ConversationSummary } from '@estuary/api';
import { DeliveryMarker } from '@estuary/client/delivery';
import { useEffect, useState } from 'react';
import { trpc } from '../lib/trpc';

/**
 * Tells senders their messages reached this browser: each conversation's newest message from
 * someone else, as the live list receives it, batched into one `receipt.markDelivered` per
 * conversation per burst.
 */
export function useDeliveryMarks(items: readonly ConversationSummary[], meId: string) {
  const client = trpc.useUtils().client;
  const [marker] = useState(
    () =>
      new DeliveryMarker((conversationId, seq) =>
        client.receipt.markDelivered.mutate({ conversationId, seq }),
      ),
  );
  // Flush, not close: React's strict mode runs this cleanup and then the effect again.
  useEffect(() => () => marker.flush(), [marker]);
  useEffect(() => {
    for (const summary of items) {
      const last = summary.lastMessage;
      if (last && last.senderId !== meId) marker.note(summary.id, last.seq);
    }
  }, [items, meId, marker]);
}
