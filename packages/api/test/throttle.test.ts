import { closeDb, createDb, type Db } from '@estuary/db';
import { createTestDatabase, type TestDatabase } from '@estuary/db/testing';
import { redisServerBinary, startRedis } from '@estuary/realtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThrottleStore, rateWithBurst, type ThrottleStore } from '../src/throttle';

/** 40 sends at once, alternating between two processes' stores: the burst is shared. */
async function acceptedOfForty(a: ThrottleStore, b: ThrottleStore, prefix: string) {
  const limits = [a, b].map((store) => rateWithBurst(store, prefix, 5, 20));
  const verdicts = await Promise.all(
    Array.from({ length: 40 }, (_, i) => limits[i % 2]?.consume('user-1')),
  );
  return verdicts.filter((v) => v?.ok).length;
}

let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url);
});
afterAll(async () => {
  await closeDb(db);
  await database.drop();
});

describe('shared limits in Postgres (the default)', () => {
  it('two processes draw from one budget', async () => {
    const [a, b] = [createThrottleStore({ db }), createThrottleStore({ db })];
    try {
      expect(await acceptedOfForty(a, b, 'pg')).toBe(20);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('consumes gathered into one statement', () => {
  it('each call gets the verdict it would get alone, per key, in arrival order', async () => {
    const store = createThrottleStore({ db });
    try {
      const limit = store.limiter({ keyPrefix: 'batch', points: 3, duration: 60 });
      const verdicts = await Promise.all([
        ...Array.from({ length: 5 }, () => limit.consume('a')),
        limit.consume('b'),
      ]);
      expect(verdicts.map((v) => v.ok)).toEqual([true, true, true, false, false, true]);
      const later = await limit.consume('a');
      expect(later.ok).toBe(false);
      if (!later.ok) expect(later.retryAfterMs).toBeGreaterThan(50_000);
      // The library's own calls (reset, refund) work on the same rows.
      await limit.reset('a');
      const afterReset = await Promise.all(Array.from({ length: 4 }, () => limit.consume('a')));
      expect(afterReset.map((v) => v.ok)).toEqual([true, true, true, false]);
      const [row] = await db.$client<{ points: number }[]>`
        select points from rate_limits where key = 'batch:b'`;
      expect(row?.points).toBe(1);
    } finally {
      await store.close();
    }
  });
});

const redisBin = redisServerBinary();

describe.runIf(redisBin)('shared limits in Redis (REDIS_URL)', () => {
  it('two processes draw from one budget, and a Redis outage falls back to memory', async () => {
    const redis = await startRedis(redisBin as string);
    const [a, b] = [
      createThrottleStore({ db, redisUrl: redis.url }),
      createThrottleStore({ db, redisUrl: redis.url }),
    ];
    try {
      // ioredis connects in the background; give it a moment before counting.
      await new Promise((r) => setTimeout(r, 300));
      expect(await acceptedOfForty(a, b, 'redis')).toBe(20);
      const [rows] =
        await db.$client`select count(*)::int as n from rate_limits where key like 'redis%'`;
      expect(rows?.n).toBe(0); // nothing went to Postgres
      await redis.stop();
      const limit = rateWithBurst(a, 'outage', 5, 20);
      const verdicts = await Promise.all(Array.from({ length: 30 }, () => limit.consume('u')));
      expect(verdicts.filter((v) => v.ok)).toHaveLength(20);
    } finally {
      await a.close();
      await b.close();
      await redis.stop();
    }
  });
});
