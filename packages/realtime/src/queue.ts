/** What `BoundedQueue.next` resolves to besides an item. */
export const RESYNC = Symbol('resync');
export const CLOSED = Symbol('closed');

/**
 * The one buffer between a listener (push, synchronous) and an async consumer (pull): the
 * bus's `subscribe` and every live subscription use it. Bounded: past `max` items the
 * backlog is dropped for one RESYNC, and the consumer catches up from Postgres. `fail` ends
 * the consumer with an error (access revoked); an aborted `signal` ends it with CLOSED.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private resync = false;
  private error: unknown = null;
  private closed = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly signal: AbortSignal,
    private readonly max = 5_000,
  ) {
    if (signal.aborted) this.closed = true;
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  private readonly onAbort = () => {
    this.closed = true;
    this.wake?.();
  };

  push(item: T) {
    if (this.closed) return;
    if (this.items.length - this.head >= this.max) {
      this.items = [];
      this.head = 0;
      this.resync = true;
    } else {
      this.items.push(item);
    }
    this.wake?.();
  }

  fail(error: unknown) {
    this.error ??= error;
    this.wake?.();
  }

  /** Up to `max` items that are already here, without waiting (for batching). */
  takeReady(max: number): T[] {
    if (this.error || this.closed || this.resync) return [];
    const end = Math.min(this.items.length, this.head + max);
    const taken = this.items.slice(this.head, end);
    this.head = end;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return taken;
  }

  async next(): Promise<T | typeof RESYNC | typeof CLOSED> {
    for (;;) {
      if (this.error) throw this.error;
      if (this.closed) return CLOSED;
      if (this.resync) {
        this.resync = false;
        return RESYNC;
      }
      if (this.head < this.items.length) {
        const item = this.items[this.head] as T;
        this.items[this.head++] = undefined as T;
        if (this.head === this.items.length) {
          this.items = [];
          this.head = 0;
        }
        return item;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
  }

  dispose() {
    this.signal.removeEventListener('abort', this.onAbort);
    this.closed = true;
    this.items = [];
    this.wake?.();
  }
}
