import { clear, createStore, del, delMany, get, keys, set, type UseStore } from 'idb-keyval';

/** A file attached while offline, waiting with its message to be uploaded. */
export interface HeldFile {
  name: string;
  type: string;
  blob: Blob;
}

/**
 * The files of queued messages, by the message's clientId. The outbox keeps its entries in
 * localStorage, which cannot hold files; these go to IndexedDB, so they outlive a reload
 * too. A copy stays in memory: the outbox may want them before IndexedDB has them, and
 * without IndexedDB (some private modes) they still go out, as long as the tab stays open.
 */
const memory = new Map<string, HeldFile[]>();
let database: UseStore | undefined;
const store = () => {
  database ??= createStore('estuary-outbox', 'held-files');
  return database;
};

export async function holdFiles(clientId: string, files: HeldFile[]): Promise<void> {
  memory.set(clientId, files);
  await set(clientId, files, store()).catch(() => {});
}

/** The files held for a message, or null when they are gone (storage cleared). */
export async function heldFiles(clientId: string): Promise<HeldFile[] | null> {
  const kept = memory.get(clientId);
  if (kept) return kept;
  return (await get<HeldFile[]>(clientId, store()).catch(() => undefined)) ?? null;
}

export async function releaseFiles(clientId: string): Promise<void> {
  memory.delete(clientId);
  await del(clientId, store()).catch(() => {});
}

/** Sign-out: nothing of this user's stays on a shared computer. */
export async function clearHeldFiles(): Promise<void> {
  memory.clear();
  await clear(store()).catch(() => {});
}

/**
 * Removes held files no queued message waits for any more (its entry sent from another tab,
 * discarded, or its storage cleared), so they do not pile up in IndexedDB. `waiting`: the
 * clientIds that still need theirs; files this tab holds in memory are its own and stay.
 */
export async function pruneHeldFiles(waiting: ReadonlySet<string>): Promise<void> {
  const stored = await keys<string>(store()).catch(() => [] as string[]);
  const stale = staleHeldFiles(stored, waiting, memory);
  if (stale.length > 0) await delMany(stale, store()).catch(() => {});
}

export function staleHeldFiles(
  stored: readonly string[],
  waiting: ReadonlySet<string>,
  inMemory: ReadonlyMap<string, unknown>,
): string[] {
  return stored.filter((id) => !waiting.has(id) && !inMemory.has(id));
}
