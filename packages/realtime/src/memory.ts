import { LocalHub } from './hub';
import { toAsyncIterable } from './iterate';
import type { Bus, SubscribeOptions } from './types';

/** One process only: unit tests and single-process tools. */
export function createMemoryBus(): Bus {
  const hub = new LocalHub();
  return {
    kind: 'memory',
    async publish(topic, payload) {
      hub.dispatch(topic, payload);
    },
    listen: (topic, listener) => hub.listen(topic, listener),
    listenerCount: (topic) => hub.listenerCount(topic),
    subscribe: <T>(topic: string, options: SubscribeOptions) =>
      toAsyncIterable<T>((l) => hub.listen(topic, l), options),
    async check() {
      return { ok: true, detail: 'memory' };
    },
    async close() {
      hub.dispatchGap();
    },
  };
}
