import { GAP, type Listener } from './types';

/**
 * The per-process fan-out every bus shares: topic -> listeners. `onFirst`/`onLast` let a
 * transport subscribe upstream only for topics somebody here listens to.
 */
export class LocalHub {
  private readonly topics = new Map<string, Set<Listener>>();

  constructor(
    private readonly hooks: {
      onFirst?: (topic: string) => void;
      onLast?: (topic: string) => void;
    } = {},
  ) {}

  listen(topic: string, listener: Listener): () => void {
    let set = this.topics.get(topic);
    if (!set) {
      set = new Set();
      this.topics.set(topic, set);
      this.hooks.onFirst?.(topic);
    }
    set.add(listener);
    return () => {
      const current = this.topics.get(topic);
      if (!current?.delete(listener) || current.size > 0) return;
      this.topics.delete(topic);
      this.hooks.onLast?.(topic);
    };
  }

  listenerCount(topic: string): number {
    return this.topics.get(topic)?.size ?? 0;
  }

  dispatch(topic: string, payload: unknown): void {
    const set = this.topics.get(topic);
    if (!set) return;
    for (const listener of set) {
      // One faulty consumer must not starve the others.
      try {
        listener(payload);
      } catch {}
    }
  }

  dispatchGap(): void {
    for (const set of this.topics.values()) {
      for (const listener of set) {
        try {
          listener(GAP);
        } catch {}
      }
    }
  }
}
