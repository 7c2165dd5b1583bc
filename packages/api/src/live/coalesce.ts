import { createBatcher } from '@estuary/realtime';

/**
 * Keys marked close together reach `run` as one batch (each key once), so a bus gap that
 * reaches a thousand listeners costs one query, not a thousand; `minIntervalMs` spaces runs
 * apart. The batching is realtime's one batcher; nobody awaits these background runs.
 */
export function coalesce<K>(run: (keys: K[]) => Promise<void>, minIntervalMs = 0) {
  const batcher = createBatcher(run, { minIntervalMs, unique: true, unref: true });
  return (key: K) => {
    void batcher.push(key);
  };
}
