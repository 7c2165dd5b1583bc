// The one reader of process.env in this package (test helpers only).

/** Where to find redis-server for tests that start their own. */
export const redisServerBinFromEnv = (): string => process.env.REDIS_SERVER_BIN ?? 'redis-server';

/** CI sets this: a machine without Redis then fails the Redis tests instead of skipping them. */
export const redisRequired = (): boolean => process.env.ESTUARY_REQUIRE_REDIS === '1';
