import { randomUUID } from 'node:crypto';
import { closeDb, createDb, type Db } from '@estuary/db';
import { createTestDatabase, type TestDatabase } from '@estuary/db/testing';
import { createMemoryBus } from '@estuary/realtime';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter, type ChatServices, chat, createCallerFactory, type User } from '../src';
import type { Context } from '../src/context';
import { SECRET } from './harness';

/**
 * No single user can wedge a process's database access: a call that holds a transaction
 * never waits for a second pool connection, so any number of concurrent calls share the pool
 * and everyone else's calls keep answering.
 */

const POOL = 3;
let database: TestDatabase;
let db: Db;
let services: ChatServices;
const router = appRouter;
const callerFor = (user: User) => {
  const ctx: Context = {
    services,
    auth: { ok: true, user, expiresAt: new Date(Date.now() + 3_600_000) },
    connection: null,
  };
  return createCallerFactory(router)(ctx);
};

beforeAll(async () => {
  database = await createTestDatabase();
  // Generous acquire timeout: this test is about never needing it, not about it firing.
  db = createDb(database.url, { max: POOL, acquireTimeoutMs: 30_000 });
  const { createChatServices } = await import('../src');
  services = createChatServices({
    db,
    bus: createMemoryBus(),
    authSecret: SECRET,
  });
});
afterAll(async () => {
  await services?.close();
  await closeDb(db, 1);
  await database?.drop();
});

const user = (name: string, role: 'client' | 'practitioner' = 'client') =>
  chat.registerUser(db, {
    email: `${name}-${randomUUID().slice(0, 8)}@example.com`,
    password: 'password-1',
    name,
    role,
  });

/** Rejects when `promise` has not settled after `ms`; a generous bound, not a speed test. */
const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms).unref(),
    ),
  ]);

describe('one user cannot wedge the pool', () => {
  it(`${3 * POOL} concurrent edits and deletes by one user all succeed, while another user's query answers`, async () => {
    const [mallory, friend, alice, bob] = await Promise.all([
      user('mallory'),
      // Practitioners: anyone may bring one into a group (the contact rule).
      user('friend', 'practitioner'),
      user('alice'),
      user('bob', 'practitioner'),
    ]);
    const own = await chat.createGroup(services.deps, mallory, {
      title: 'edits',
      participantIds: [friend.id],
    });
    const other = await chat.createGroup(services.deps, alice, {
      title: 'bystanders',
      participantIds: [bob.id],
    });
    const mal = callerFor(mallory);
    const messages = await Promise.all(
      Array.from({ length: 3 * POOL }, (_, i) =>
        mal.message.send({ conversationId: own.id, clientId: randomUUID(), content: `m${i}` }),
      ),
    );

    const edits = messages.map((m, i) =>
      i % 3 === 2
        ? mal.message.delete({ messageId: m.id })
        : mal.message.edit({ messageId: m.id, content: `edited ${i}` }),
    );
    // Another user's query, sent while the edits hold the pool.
    const page = await within(
      callerFor(bob).message.list({ conversationId: other.id }),
      20_000,
      "another user's query",
    );
    expect(page.items).toEqual([]);
    const results = await within(Promise.allSettled(edits), 20_000, 'the edits');
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);

    // Nothing is left holding a connection inside a transaction.
    const [idle] = await db.$client<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and state like 'idle in transaction%'`;
    expect(idle?.n).toBe(0);
  }, 60_000);

  it('answers SERVICE_UNAVAILABLE, with a generic message, when no connection frees up in time', async () => {
    const tiny = createDb(database.url, { max: 1, acquireTimeoutMs: 200 });
    const { createChatServices } = await import('../src');
    const busy = createChatServices({ db: tiny, bus: createMemoryBus(), authSecret: SECRET });
    const someone = await user('someone');
    const ctx: Context = {
      services: busy,
      auth: { ok: true, user: someone, expiresAt: new Date(Date.now() + 3_600_000) },
      connection: null,
    };
    let release = () => {};
    let entered = () => {};
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    const held = tiny.$client.begin(async (tx) => {
      await tx`select 1`;
      entered();
      await new Promise<void>((r) => {
        release = r;
      });
    });
    try {
      await inside;
      const error = await createCallerFactory(router)(ctx)
        .conversation.list()
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code).toBe('SERVICE_UNAVAILABLE');
      expect((error as TRPCError).message).toBe('The server is busy; retry shortly');
    } finally {
      release();
      await held;
      await busy.close();
      await closeDb(tiny, 1);
    }
  });
});
