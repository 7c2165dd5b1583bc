import type { Conversation, Message, Receipt } from '@estuary/api';
import { othersIn } from '../conversations/display';

/** One participant's watermarks: read up to, and delivered (to a device of theirs) up to. */
export interface Watermarks {
  read: number;
  delivered: number;
}

/** Keeps the highest watermarks per user: receipts only move forward. */
export function mergeReceipt(list: readonly Receipt[], next: Receipt): Receipt[] {
  const known = list.find((r) => r.userId === next.userId);
  if (
    known &&
    known.lastReadSeq >= next.lastReadSeq &&
    known.lastDeliveredSeq >= next.lastDeliveredSeq
  )
    return list as Receipt[];
  const merged = known
    ? {
        ...next,
        lastReadSeq: Math.max(known.lastReadSeq, next.lastReadSeq),
        lastDeliveredSeq: Math.max(known.lastDeliveredSeq, next.lastDeliveredSeq),
      }
    : next;
  return [...list.filter((r) => r.userId !== next.userId), merged];
}

/**
 * What the sender sees under their own message: Sent, Delivered or Read in a 1:1; in groups
 * "Delivered to 3, read by 2". Reading implies delivery.
 */
export function readStatus(
  conversation: Conversation,
  meId: string,
  receipts: Map<string, Watermarks>,
) {
  const others = othersIn(conversation, meId);
  return (message: Message) => {
    let readers = 0;
    let delivered = 0;
    for (const p of others) {
      const marks = receipts.get(p.userId);
      if (!marks) continue;
      if (marks.read >= message.seq) readers++;
      if (Math.max(marks.read, marks.delivered) >= message.seq) delivered++;
    }
    if (conversation.kind !== 'group')
      return readers > 0 ? 'Read' : delivered > 0 ? 'Delivered' : 'Sent';
    if (delivered === 0) return 'Sent';
    return readers === 0
      ? `Delivered to ${delivered}`
      : `Delivered to ${delivered}, read by ${readers}`;
  };
}
