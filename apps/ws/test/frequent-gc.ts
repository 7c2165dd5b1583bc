// Preloaded into a test node (`node --expose-gc --import`): a full collection every 100 ms,
// so its heap metrics show what the process holds on to rather than garbage not yet collected.
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) setInterval(gc, 100).unref();
