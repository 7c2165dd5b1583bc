/**
 * Collects keys marked during one tick and hands them to `run` together, so a bus gap that
 * reaches a thousand listeners costs one query, not a thousand. While a run is in flight,
 * new keys wait for the next one; `minIntervalMs` spaces runs apart.
 */
export function coalesce<K>(run: (keys: K[]) => Promise<void>, minIntervalMs = 0) {
  let keys = new Set<K>();
  let scheduled = false;
  let lastRun = 0;
  const fire = async () => {
    const batch = [...keys];
    keys = new Set();
    lastRun = Date.now();
    try {
      await run(batch);
    } finally {
      scheduled = false;
      if (keys.size > 0) schedule();
    }
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    const wait = Math.max(0, lastRun + minIntervalMs - Date.now());
    const timer = setTimeout(() => void fire(), wait);
    timer.unref?.();
  };
  return (key: K) => {
    keys.add(key);
    schedule();
  };
}
