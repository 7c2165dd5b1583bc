'use client';

import { useMemo } from 'react';
import { trpc } from '../lib/trpc';
import { mergeReceipt, type Watermarks } from './receipts';

/**
 * Every participant's read and delivered watermarks: the list once, then `receipt.onRead` live. The list
 * is refetched after a reconnect (see useRefetchOnReconnect), since receipts are not replayed.
 */
export function useReceipts(conversationId: string): Map<string, Watermarks> {
  const utils = trpc.useUtils();
  const receipts = trpc.receipt.list.useQuery({ conversationId });
  trpc.receipt.onRead.useSubscription(
    { conversationId },
    {
      onData(receipt) {
        utils.receipt.list.setData({ conversationId }, (list) => mergeReceipt(list ?? [], receipt));
      },
    },
  );
  return useMemo(
    () =>
      new Map(
        (receipts.data ?? []).map((r) => [
          r.userId,
          { read: r.lastReadSeq, delivered: r.lastDeliveredSeq },
        ]),
      ),
    [receipts.data],
  );
}
