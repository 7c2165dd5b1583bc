import type { Db } from '@estuary/db';
import { createBatcher } from '@estuary/realtime';
import { Redis } from 'ioredis';
import {
  type IRateLimiterStoreOptions,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';

/**
 * Limits shared by every process (web and every ws node), so a user or an attacker gains
 * nothing by spreading calls across them. Counters live in Postgres (`rate_limits`, the
 * default, nothing more to run) or in Redis when `REDIS_URL` is set. The kept library
 * rate-limiter-flexible does the counting; if the store fails, a per-process memory limiter
 * stands in for it (the library's insurance limiter) rather than failing every call.
 */
export type Verdict = { ok: true } | { ok: false; retryAfterMs: number };

export interface ThrottleStore {
  limiter(options: { keyPrefix: string; points: number; duration: number }): Limiter;
  close(): Promise<void>;
}

export interface Limiter {
  consume(key: string): Promise<Verdict>;
  /** Gives one point back (a successful sign-in does not count against its address). */
  refund(key: string): Promise<void>;
  /** Forgets a key (a successful sign-in clears its account's failures). */
  reset(key: string): Promise<void>;
}

const TABLE = 'rate_limits';

/**
 * postgres.js speaks the `{ text, values }` query shape the library expects from a pg pool
 * through `unsafe` (parameters stay parameters). `expire` is a bigint: make it a number.
 */
function pgAdapter(db: Db) {
  const sql = db.$client;
  return {
    async query(q: { text: string; values?: unknown[] }) {
      const rows = await sql.unsafe(q.text, (q.values ?? []) as never[]);
      return {
        rows: rows.map((row) => ({
          ...row,
          expire: row.expire == null ? null : Number(row.expire),
        })),
      };
    },
  };
}

export function createThrottleStore(options: { db: Db; redisUrl?: string }): ThrottleStore {
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false })
    : null;
  redis?.on('error', () => {}); // ioredis reconnects by itself; the insurance limiter covers the gap
  const store: Partial<IRateLimiterStoreOptions> = redis
    ? { storeClient: redis }
    : ({
        storeClient: pgAdapter(options.db),
        storeType: 'pool',
        tableName: TABLE,
        // The table comes with the migrations; the library must not try to create it.
        tableCreated: true,
        clearExpiredByTimeout: true,
      } as Partial<IRateLimiterStoreOptions>);
  const made: RateLimiterPostgres[] = [];
  const upserts = redis ? null : batchedUpserts(options.db);
  return {
    limiter({ keyPrefix, points, duration }) {
      const opts = {
        ...store,
        keyPrefix,
        points,
        duration,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
      } as IRateLimiterStoreOptions;
      if (!upserts) return wrap(new RateLimiterRedis(opts));
      const rl = new RateLimiterPostgres(opts);
      made.push(rl);
      const insurance = opts.insuranceLimiter as RateLimiterMemory;
      return {
        ...wrap(rl),
        // The library's own consume is one statement per call; ours shares one per tick.
        consume: (key) =>
          upserts
            .consume(rl.getKey(key), points, duration * 1000)
            .catch(() => verdict(insurance.consume(key))),
      };
    },
    async close() {
      for (const rl of made) {
        const timer = (rl as unknown as { _clearExpiredTimeoutId?: NodeJS.Timeout })
          ._clearExpiredTimeoutId;
        if (timer) clearTimeout(timer);
      }
      redis?.disconnect();
    },
  };
}

type Pending = {
  key: string;
  limit: number;
  durationMs: number;
  resolve: (verdict: Verdict) => void;
  reject: (error: unknown) => void;
};

/**
 * The library's upsert for many keys in one statement: every send consumes a point, and one
 * statement (and commit) per send showed in Postgres's CPU per message (`pnpm bench`).
 * A key may come several times in a batch: it is counted once by its total, and each call
 * gets the count it would have seen alone, in arrival order.
 */
function batchedUpserts(db: Db) {
  const sql = db.$client;
  const batch = createBatcher<Pending>(async (items) => {
    const byKey = new Map<string, Pending[]>();
    for (const item of items) {
      const list = byKey.get(item.key);
      if (list) list.push(item);
      else byKey.set(item.key, [item]);
    }
    const keys = [...byKey.keys()];
    const now = Date.now();
    try {
      const rows = await sql<{ key: string; points: number; expire: string | null }[]>`
        insert into ${sql(TABLE)} (key, points, expire)
        select * from unnest(
          ${keys}::text[],
          ${keys.map((k) => byKey.get(k)?.length ?? 0)}::int[],
          ${keys.map((k) => now + (byKey.get(k)?.[0]?.durationMs ?? 0))}::bigint[])
        on conflict (key) do update set
          points = case when ${sql(TABLE)}.expire <= ${now} then excluded.points
                        else ${sql(TABLE)}.points + excluded.points end,
          expire = case when ${sql(TABLE)}.expire <= ${now} then excluded.expire
                        else ${sql(TABLE)}.expire end
        returning key, points, expire`;
      for (const row of rows) {
        const list = byKey.get(row.key) ?? [];
        const retryAfterMs = Math.max(1, Math.ceil(Number(row.expire ?? now) - Date.now()));
        list.forEach((item, i) => {
          const consumed = row.points - list.length + i + 1;
          item.resolve(consumed <= item.limit ? { ok: true } : { ok: false, retryAfterMs });
        });
        byKey.delete(row.key);
      }
      for (const list of byKey.values())
        for (const item of list) item.reject(new Error('rate limit row missing'));
    } catch (error) {
      for (const item of items) item.reject(error);
    }
  });
  return {
    consume(key: string, limit: number, durationMs: number): Promise<Verdict> {
      return new Promise<Verdict>((resolve, reject) => {
        void batch.push({ key, limit, durationMs, resolve, reject });
      });
    },
  };
}

type Consumer = { consume(key: string, points?: number): Promise<RateLimiterRes> };

function wrap(
  rl: Consumer & {
    reward?(key: string, points: number): Promise<unknown>;
    delete?(key: string): Promise<unknown>;
  },
): Limiter {
  return {
    consume: (key) => verdict(rl.consume(key)),
    async refund(key) {
      await rl.reward?.(key, 1);
    },
    async reset(key) {
      await rl.delete?.(key);
    },
  };
}

async function verdict(result: Promise<RateLimiterRes>): Promise<Verdict> {
  try {
    await result;
    return { ok: true };
  } catch (error) {
    if (error instanceof RateLimiterRes)
      return { ok: false, retryAfterMs: Math.max(1, Math.ceil(error.msBeforeNext)) };
    throw error;
  }
}

/**
 * `ratePerSecond` sustained with bursts of `burst`, close to a token bucket: as the library's
 * BurstyRateLimiter does, a one-second window of `ratePerSecond` backed by a window of the
 * extra `burst - ratePerSecond` that refills in the time a bucket would (burst / rate). (Ours
 * answers the soonest retry time; the library's reports the first window's.)
 */
export function rateWithBurst(
  store: ThrottleStore,
  keyPrefix: string,
  ratePerSecond: number,
  burst: number,
): Pick<Limiter, 'consume'> {
  const steady = store.limiter({ keyPrefix, points: ratePerSecond, duration: 1 });
  const extra = Math.max(0, burst - ratePerSecond);
  if (extra === 0) return steady;
  const spare = store.limiter({
    keyPrefix: `${keyPrefix}-burst`,
    points: extra,
    duration: Math.max(1, Math.ceil(burst / ratePerSecond)),
  });
  return {
    async consume(key) {
      const first = await steady.consume(key);
      if (first.ok) return first;
      const second = await spare.consume(key);
      // Refused by both: the next second's share is the soonest a send can pass.
      return second.ok
        ? second
        : { ok: false, retryAfterMs: Math.min(first.retryAfterMs, second.retryAfterMs) };
    },
  };
}
