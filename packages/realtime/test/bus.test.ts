import { closeDb, createDb } from '@estuary/db';
import { createTestDatabase, type TestDatabase } from '@estuary/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bus, createMemoryBus, createPostgresBus, createRedisBus, GAP } from '../src';
import { redisServerBinary, startRedis } from '../src/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}

/** Collects one topic through the async-iterable interface until the signal aborts. */
function drain(bus: Bus, topic: string, signal: AbortSignal) {
  const got: unknown[] = [];
  const done = (async () => {
    for await (const item of bus.subscribe(topic, { signal })) got.push(item);
  })();
  return { got, done };
}

/** What every bus must do, whatever carries it between processes. */
function behavesLikeABus(make: () => Promise<{ a: Bus; b: Bus; close(): Promise<void> }>) {
  let pair: Awaited<ReturnType<typeof make>>;
  beforeAll(async () => {
    pair = await make();
  });
  afterAll(() => pair.close());

  it('delivers a topic to its subscribers here and in the other process, once each, in order', async () => {
    const abort = new AbortController();
    const here = drain(pair.a, 'room:1', abort.signal);
    const there = drain(pair.b, 'room:1', abort.signal);
    const elsewhere = drain(pair.b, 'room:2', abort.signal);
    await sleep(150);
    for (let i = 0; i < 20; i++)
      await pair.a.publish('room:1', { n: i, at: new Date(1_700_000_000_000 + i) });
    await until(() => there.got.length === 20 && here.got.length === 20);
    await sleep(100);
    expect(here.got).toEqual(there.got);
    expect((there.got as { n: number }[]).map((e) => e.n)).toEqual([...Array(20).keys()]);
    expect((there.got[3] as { at: Date }).at).toBeInstanceOf(Date);
    expect(elsewhere.got).toEqual([]);
    abort.abort();
    await Promise.all([here.done, there.done, elsewhere.done]);
  });

  it('ends the iteration when the signal aborts, and stops listening upstream', async () => {
    const abort = new AbortController();
    const sub = drain(pair.b, 'room:3', abort.signal);
    await sleep(100);
    abort.abort();
    await sub.done;
    await pair.a.publish('room:3', { late: true });
    await sleep(200);
    expect(sub.got).toEqual([]);
  });

  it('carries payloads far larger than a NOTIFY can hold', async () => {
    const abort = new AbortController();
    const there = drain(pair.b, 'room:big', abort.signal);
    await sleep(150);
    const big = { text: 'é'.repeat(20_000) };
    await pair.a.publish('room:big', big);
    await pair.a.publish('room:big', { small: 1 });
    await until(() => there.got.length === 2);
    expect(there.got).toEqual([big, { small: 1 }]);
    abort.abort();
    await there.done;
  });
}

describe('memory bus', () => {
  behavesLikeABus(async () => {
    const bus = createMemoryBus();
    return { a: bus, b: bus, close: () => bus.close() };
  });
});

describe('postgres bus (LISTEN/NOTIFY)', () => {
  let database: TestDatabase;
  behavesLikeABus(async () => {
    database = await createTestDatabase();
    const a = createPostgresBus(database.url);
    const b = createPostgresBus(database.url);
    return {
      a,
      b,
      async close() {
        await a.close();
        await b.close();
        await database.drop();
      },
    };
  });

  it('tells subscribers about a possible gap when its listener connection is cut', async () => {
    const db = createDb(database.url);
    const bus = createPostgresBus(database.url);
    const seen: unknown[] = [];
    const unlisten = bus.listen('room:gap', (p) => seen.push(p));
    await sleep(300);
    await db.$client`select pg_terminate_backend(pid) from pg_stat_activity
                     where application_name = 'estuary-bus' and query ilike 'listen%'`;
    await until(() => seen.includes(GAP), 15_000);
    // …and it delivers again once reconnected.
    const other = createPostgresBus(database.url);
    await until(() => {
      void other.publish('room:gap', { back: true });
      return seen.some((p) => (p as { back?: boolean }).back);
    }, 15_000);
    unlisten();
    await other.close();
    await bus.close();
    await closeDb(db);
  });
});

const redisBin = redisServerBinary();
describe.runIf(redisBin)('redis bus', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  beforeAll(async () => {
    redis = await startRedis(redisBin as string);
  });
  afterAll(() => redis?.stop());

  behavesLikeABus(async () => {
    const a = createRedisBus(redis.url);
    const b = createRedisBus(redis.url);
    return {
      a,
      b,
      async close() {
        await a.close();
        await b.close();
      },
    };
  });

  it('keeps serving through a Redis restart: publishes fail fast, gaps are signalled, delivery resumes', async () => {
    const a = createRedisBus(redis.url, { degradedGapIntervalMs: 200 });
    const b = createRedisBus(redis.url, { degradedGapIntervalMs: 200 });
    const seen: unknown[] = [];
    b.listen('room:r', (p) => seen.push(p));
    await sleep(200);
    expect((await b.check()).ok).toBe(true);
    await a.publish('room:r', { n: 1 });
    await until(() => seen.length === 1);

    await redis.stop('SIGKILL');
    await until(() => seen.filter((p) => p === GAP).length >= 2, 5_000);
    const health = await b.check();
    expect(health.ok).toBe(false);
    expect(health.detail).toMatch(/redis unreachable/);
    const started = Date.now();
    await expect(a.publish('room:r', { n: 2 })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);

    await redis.start();
    await until(() => {
      void a.publish('room:r', { n: 3 }).catch(() => {});
      return seen.some((p) => (p as { n?: number }).n === 3);
    }, 15_000);
    await until(async () => (await b.check()).ok, 5_000);
    await a.close();
    await b.close();
  });
});
