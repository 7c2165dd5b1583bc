/**
 * Socket backpressure for subscriptions. The transport (apps/ws) says, through `drain`,
 * whether the socket can take more: undefined while it can, otherwise a promise that
 * resolves once it has drained. Waiting on it between yields keeps a stream at its reader's
 * pace, so a replay of thousands of events waits in Postgres, not in server memory.
 */
export type Drain = () => Promise<void> | undefined;

/** `stream`, one item at a time, each only once the socket has room for it. */
export async function* pacedBy<T>(drain: Drain | undefined, stream: AsyncGenerator<T>) {
  if (!drain) {
    yield* stream;
    return;
  }
  for (;;) {
    const wait = drain();
    if (wait) await wait;
    const next = await stream.next();
    if (next.done) return;
    yield next.value;
  }
}
