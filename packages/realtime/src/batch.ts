export interface BatchOptions {
  /** How long a batch gathers after its first item; 0 gathers what this tick brings. */
  windowMs?: number;
  /** The least time between the starts of two flushes (background rechecks). */
  minIntervalMs?: number;
  /** An item already in the open batch is not added again (keys to recheck, not messages). */
  unique?: boolean;
  /** Its timers do not keep the process alive (background work nobody awaits). */
  unref?: boolean;
}

/**
 * The one batcher: items pushed close together reach `flush` as one batch, one batch at a
 * time, in order; while a flush runs, new items gather for the next. The bus sends its
 * publishes this way, and a bus gap that reaches a thousand listeners costs one query.
 * `push` resolves once its batch is flushed (or rejects with the flush's error).
 */
export function createBatcher<T>(flush: (items: T[]) => Promise<void>, options: BatchOptions = {}) {
  const { windowMs = 0, minIntervalMs = 0, unique = false, unref = false } = options;
  let lastFlush = Number.NEGATIVE_INFINITY;
  const wait = (fn: () => void) => {
    const ms = Math.max(windowMs, lastFlush + minIntervalMs - Date.now());
    // setImmediate gathers one tick; a window also gathers what the next few ticks bring.
    const timer = ms > 0 ? setTimeout(fn, ms) : setImmediate(fn);
    if (unref) timer.unref();
  };
  let tail: Promise<void> = Promise.resolve();
  type Batch = { items: T[]; seen: Set<T> | null; done: Promise<void> };
  let open: Batch | null = null;
  return {
    push(item: T): Promise<void> {
      if (!open) {
        const batch: Batch = {
          items: [],
          seen: unique ? new Set() : null,
          done: Promise.resolve(),
        };
        batch.done = tail.then(
          () =>
            new Promise<void>((resolve, reject) =>
              wait(() => {
                if (open === batch) open = null;
                lastFlush = Date.now();
                flush(batch.items).then(resolve, reject);
              }),
            ),
        );
        tail = batch.done.catch(() => {});
        open = batch;
      }
      if (!open.seen?.has(item)) {
        open.seen?.add(item);
        open.items.push(item);
      }
      return open.done;
    },
    /** Resolves once everything pushed so far has been flushed (or failed). */
    drain: () => tail,
  };
}

/**
 * Lookups by key gathered like `createBatcher`'s items: calls close together become one
 * `loadMany` of their distinct keys, and each call gets its key's value (undefined if
 * `loadMany` has none). A failed `loadMany` fails every call of its batch.
 */
export function createLoader<K, V>(
  loadMany: (keys: K[]) => Promise<Map<K, V>>,
  options: Omit<BatchOptions, 'unique'> = {},
) {
  let found = new Map<K, V>();
  const batcher = createBatcher<K>(
    async (keys) => {
      found = await loadMany(keys);
    },
    { ...options, unique: true },
  );
  return {
    load(key: K): Promise<V | undefined> {
      // Read `found` as the batch that carries this key resolves, before the next flushes.
      return batcher.push(key).then(() => found.get(key));
    },
  };
}
