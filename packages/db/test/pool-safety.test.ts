import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseBusyError, isDatabaseBusy } from '../src/acquire-timeout';
import { closeDb, createDb, type Db } from '../src/client';
import { createTestDatabase, type TestDatabase } from '../src/testing';

let database: TestDatabase;
const pools: Db[] = [];
const pool = (options: Parameters<typeof createDb>[1]) => {
  const db = createDb(database.url, options);
  pools.push(db);
  return db;
};

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const db of pools) await closeDb(db, 1).catch(() => {});
  await database.drop();
});

/** Holds the pool's only connection inside a transaction until `release()` is called. */
function holdConnection(db: Db) {
  let release = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  let entered = () => {};
  const inside = new Promise<void>((r) => {
    entered = r;
  });
  const done = db.$client.begin(async (tx) => {
    await tx`select 1`;
    entered();
    await released;
  });
  return { inside, release, done };
}

describe('createDb safety nets', () => {
  it('sets statement_timeout and idle_in_transaction_session_timeout on every connection', async () => {
    const db = pool({ max: 1, statementTimeoutMs: 1234, idleInTransactionTimeoutMs: 5678 });
    const [row] = await db.$client<{ s: string; i: string }[]>`
      select current_setting('statement_timeout') as s,
             current_setting('idle_in_transaction_session_timeout') as i`;
    expect(row).toEqual({ s: '1234ms', i: '5678ms' });
  });

  it('cancels a statement that runs past statement_timeout', async () => {
    const db = pool({ max: 1, statementTimeoutMs: 200 });
    await expect(db.$client`select pg_sleep(5)`).rejects.toMatchObject({ code: '57014' });
    // The connection is fine afterwards.
    expect(await db.$client`select 1 as one`).toEqual([{ one: 1 }]);
  });

  it('ends a transaction left idle past idle_in_transaction_session_timeout', async () => {
    const db = pool({ max: 1, idleInTransactionTimeoutMs: 200 });
    const done = db.$client.begin(async (tx) => {
      await tx`select 1`;
      await new Promise((r) => setTimeout(r, 1_000));
      await tx`select 2`;
    });
    await expect(done).rejects.toThrow();
    // The pool recovers: the next call gets a fresh connection.
    expect(await db.$client`select 1 as one`).toEqual([{ one: 1 }]);
  });

  it('fails a query that waits for a connection past the acquire timeout, and never runs it', async () => {
    const db = pool({ max: 1, acquireTimeoutMs: 300, idleInTransactionTimeoutMs: 60_000 });
    await db.$client`create table if not exists probe (n int)`;
    const held = holdConnection(db);
    await held.inside;
    const waiting = [
      db.$client`insert into probe values (1)`,
      db.$client.unsafe('insert into probe values (2)'),
      db.execute('insert into probe values (3)'),
    ];
    const errors = await Promise.all(
      waiting.map((call) =>
        call.then(
          () => null,
          (e) => e,
        ),
      ),
    );
    expect(errors[0]).toBeInstanceOf(DatabaseBusyError);
    expect(errors[1]).toBeInstanceOf(DatabaseBusyError);
    // drizzle wraps driver errors; the cause is still ours.
    expect(errors.every(isDatabaseBusy)).toBe(true);
    held.release();
    await held.done;
    // None of the timed-out statements ran once the connection came free.
    await new Promise((r) => setTimeout(r, 100));
    expect(await db.$client`select count(*)::int as n from probe`).toEqual([{ n: 0 }]);
  });

  it('fails a transaction that waits past the acquire timeout, and never runs its body', async () => {
    const db = pool({ max: 1, acquireTimeoutMs: 300, idleInTransactionTimeoutMs: 60_000 });
    const held = holdConnection(db);
    await held.inside;
    let ran = false;
    const drizzleTx = db.transaction(async () => {
      ran = true;
    });
    const rawTx = db.$client.begin(async () => {
      ran = true;
    });
    expect(
      isDatabaseBusy(
        await drizzleTx.then(
          () => null,
          (e) => e,
        ),
      ),
    ).toBe(true);
    await expect(rawTx).rejects.toBeInstanceOf(DatabaseBusyError);
    held.release();
    await held.done;
    await new Promise((r) => setTimeout(r, 100));
    expect(ran).toBe(false);
    // And the pool still works.
    expect(await db.$client`select 1 as one`).toEqual([{ one: 1 }]);
  });

  it('lets a queued call through when a connection frees up before the timeout', async () => {
    const db = pool({ max: 1, acquireTimeoutMs: 5_000 });
    const held = holdConnection(db);
    await held.inside;
    const waiting = db.$client`select 7 as n`;
    setTimeout(() => held.release(), 100);
    expect(await waiting).toEqual([{ n: 7 }]);
    await held.done;
  });
});
