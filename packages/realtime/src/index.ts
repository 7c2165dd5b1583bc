import { createPostgresBus } from './postgres';
import { createRedisBus } from './redis';
import type { Bus, BusOptions } from './types';

export { type BatchOptions, createBatcher, createLoader } from './batch';
export { LocalHub } from './hub';
export { toAsyncIterable } from './iterate';
export { createMemoryBus } from './memory';
export { createPostgresBus } from './postgres';
export { BoundedQueue, CLOSED, RESYNC } from './queue';
export { createRedisBus } from './redis';
export {
  type Bus,
  type BusHealth,
  type BusOptions,
  GAP,
  type Gap,
  type Listener,
  type SubscribeOptions,
} from './types';

/**
 * The one place the bus is chosen: Redis when REDIS_URL is set, otherwise Postgres
 * LISTEN/NOTIFY (which is what lets apps/web and apps/ws talk with zero setup).
 */
export function createBus(
  config: { redisUrl?: string | undefined; databaseUrl: string },
  options: BusOptions = {},
): Bus {
  if (config.redisUrl) return createRedisBus(config.redisUrl, options);
  return createPostgresBus(config.databaseUrl, options);
}
