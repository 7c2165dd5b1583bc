import { BoundedQueue, CLOSED, RESYNC } from './queue';
import { GAP, type Gap, type SubscribeOptions } from './types';

type Listen = (listener: (payload: unknown) => void) => () => void;

/**
 * Turns a listener into an async iterable over a bounded queue. A consumer that falls more
 * than `maxQueue` behind loses the backlog and gets one GAP instead, so memory stays bounded
 * and the consumer knows to catch up from the database.
 */
export function toAsyncIterable<T>(
  listen: Listen,
  { signal, maxQueue = 10_000 }: SubscribeOptions,
): AsyncIterable<T | Gap> {
  return {
    [Symbol.asyncIterator]() {
      const queue = new BoundedQueue<T | Gap>(signal, maxQueue);
      const unlisten = signal.aborted ? () => {} : listen((p) => queue.push(p as T | Gap));
      const finish = () => {
        unlisten();
        queue.dispose();
      };
      signal.addEventListener('abort', finish, { once: true });
      return {
        async next(): Promise<IteratorResult<T | Gap>> {
          const item = await queue.next();
          if (item === CLOSED) return { value: undefined, done: true };
          return { value: item === RESYNC ? GAP : item, done: false };
        },
        async return(): Promise<IteratorResult<T | Gap>> {
          signal.removeEventListener('abort', finish);
          finish();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
