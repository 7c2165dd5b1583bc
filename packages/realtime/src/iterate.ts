import { GAP, type Gap, type SubscribeOptions } from './types';

type Listen = (listener: (payload: unknown) => void) => () => void;

/**
 * Turns a listener into an async iterable with a bounded queue. A consumer that falls more
 * than `maxQueue` behind loses the backlog and gets one GAP instead, so memory stays bounded
 * and the consumer knows to catch up from the database.
 */
export function toAsyncIterable<T>(
  listen: Listen,
  { signal, maxQueue = 10_000 }: SubscribeOptions,
): AsyncIterable<T | Gap> {
  return {
    [Symbol.asyncIterator]() {
      const queue: (T | Gap)[] = [];
      let wake: (() => void) | null = null;
      let done = signal.aborted;
      const unlisten = done
        ? () => {}
        : listen((payload) => {
            if (queue.length >= maxQueue) {
              queue.length = 0;
              queue.push(GAP);
            } else {
              queue.push(payload as T | Gap);
            }
            wake?.();
          });
      const finish = () => {
        done = true;
        unlisten();
        wake?.();
      };
      signal.addEventListener('abort', finish, { once: true });

      return {
        async next(): Promise<IteratorResult<T | Gap>> {
          while (queue.length === 0 && !done) {
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = null;
          }
          if (queue.length > 0) return { value: queue.shift() as T | Gap, done: false };
          return { value: undefined, done: true };
        },
        async return(): Promise<IteratorResult<T | Gap>> {
          signal.removeEventListener('abort', finish);
          finish();
          queue.length = 0;
          return { value: undefined, done: true };
        },
      };
    },
  };
}
