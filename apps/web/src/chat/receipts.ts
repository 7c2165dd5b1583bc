import type { Conversation, Message, Receipt } from '@estuary/api';
import { othersIn } from '../conversations/describe';

/** Keeps the highest watermark per user: receipts only move forward. */
export function mergeReceipt(list: readonly Receipt[], next: Receipt): Receipt[] {
  const known = list.find((r) => r.userId === next.userId);
  if (known && known.lastReadSeq >= next.lastReadSeq) return list as Receipt[];
  return [...list.filter((r) => r.userId !== next.userId), next];
}

/** "Read" (1:1) or "Seen by N" (groups) once others' watermarks pass the message. */
export function readStatus(
  conversation: Conversation,
  meId: string,
  receipts: Map<string, number>,
) {
  const others = othersIn(conversation, meId);
  return (message: Message) => {
    const readers = others.filter((p) => (receipts.get(p.userId) ?? 0) >= message.seq).length;
    if (readers === 0) return 'Sent';
    return conversation.kind === 'group' ? `Seen by ${readers}` : 'Read';
  };
}
