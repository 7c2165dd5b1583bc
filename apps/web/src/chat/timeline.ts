import type { Message } from '@estuary/api';

/**
 * The message list is assembled from pages of history, live events and the sender's own
 * confirmed sends. These arrive in any order and overlap, so merging is keyed by message id
 * and each message keeps its most advanced version: deleted beats edited beats created, and
 * a later edit beats an earlier one.
 */
export function version(message: Message): number {
  if (message.deletedAt) return Number.POSITIVE_INFINITY;
  return message.editedAt ? message.editedAt.getTime() : 0;
}

/** The most advanced version of each message across all sources, ascending by seq. */
export function mergeMessages(...sources: ReadonlyArray<readonly Message[]>): Message[] {
  const byId = new Map<string, Message>();
  for (const source of sources) {
    for (const message of source) {
      const known = byId.get(message.id);
      if (!known || version(message) > version(known)) byId.set(message.id, message);
    }
  }
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/** Adds one message (from an event or a mutation result) to a list, keeping the rules above. */
export function upsertMessage(list: readonly Message[], message: Message): Message[] {
  const index = list.findIndex((m) => m.id === message.id);
  if (index === -1) return mergeMessages(list, [message]);
  const known = list[index];
  if (known && version(message) <= version(known)) return list as Message[];
  const next = list.slice();
  next[index] = message;
  return next;
}

/** The newest seq in a list, or 0. */
export const lastSeq = (list: readonly Message[]) => list.at(-1)?.seq ?? 0;
