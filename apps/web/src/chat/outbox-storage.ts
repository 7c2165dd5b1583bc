import type { OutboxEntry } from './outbox';

/**
 * Unsent messages outlive a reload: they are kept in localStorage per user until the
 * server confirms them, and removed on sign-out. Two tabs that both restore an entry may
 * both send it; the shared clientId makes the second send return the first message.
 */
const PREFIX = 'estuary.outbox.';
const key = (userId: string) => `${PREFIX}${userId}`;

export function loadOutbox(userId: string): OutboxEntry[] {
  try {
    const raw = window.localStorage.getItem(key(userId));
    if (!raw) return [];
    const entries = JSON.parse(raw) as Array<OutboxEntry & { createdAt: string }>;
    return entries.map((e) => ({
      ...e,
      createdAt: new Date(e.createdAt),
      // A send cut short by the reload may or may not have landed; resending is safe.
      status: e.status === 'sending' ? 'queued' : e.status,
    }));
  } catch {
    return [];
  }
}

export function saveOutbox(userId: string, entries: readonly OutboxEntry[]) {
  try {
    const unsent = entries.filter((e) => e.status !== 'sent');
    if (unsent.length === 0) window.localStorage.removeItem(key(userId));
    else window.localStorage.setItem(key(userId), JSON.stringify(unsent));
  } catch {
    // Storage full or disabled: the outbox still works, it just does not survive a reload.
  }
}

export function clearOutbox(userId: string) {
  try {
    window.localStorage.removeItem(key(userId));
  } catch {}
}

/**
 * The clientIds of every stored entry still waiting for its held files, in anyone's outbox
 * on this browser: a user whose session ended without signing out keeps theirs for when they
 * come back. Null when storage cannot be read (then nothing may be judged stale).
 */
export function entriesHoldingFiles(storage: Storage = window.localStorage): Set<string> | null {
  try {
    const holding = new Set<string>();
    for (let i = 0; i < storage.length; i++) {
      const name = storage.key(i);
      if (!name?.startsWith(PREFIX)) continue;
      const entries = JSON.parse(storage.getItem(name) ?? '[]') as Partial<OutboxEntry>[];
      for (const entry of entries)
        if (entry.heldFiles && entry.clientId) holding.add(entry.clientId);
    }
    return holding;
  } catch {
    return null;
  }
}
