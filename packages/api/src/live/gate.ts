/**
 * A FIFO mutex. One socket's replays take turns through it, so a socket holds at most one
 * replay page in memory however many subscriptions it opens: replay then costs what live
 * delivery does, and a reader that stops reading stalls the others instead of the server.
 */
export class Gate {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  /** Resolves with a release function once the gate is ours, or rejects on `signal` abort. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.held = false;
    };
    if (!this.held) {
      this.held = true;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const enter = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(release);
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(enter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(enter);
    });
  }
}
