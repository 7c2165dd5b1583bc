import { randomUUID } from 'node:crypto';
import { closeDb, createDb, type Db } from '@estuary/db';
import { createTestDatabase, type TestDatabase } from '@estuary/db/testing';
import { createMemoryBus } from '@estuary/realtime';
import { getTRPCErrorFromUnknown, isTrackedEnvelope } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appRouter,
  type ChatServices,
  chat,
  createCallerFactory,
  createChatServices,
  isPushable,
  PreparedTracked,
  PUSH,
  type User,
} from '../src';
import type { ConnectionState, Context } from '../src/context';
import { Gate } from '../src/live/gate';
import { eventually, SECRET, sleep } from './harness';

/**
 * The push form of message.onEvent(s) (src/push.ts), driven as apps/ws's lean handler drives
 * it: the procedure's result carries [PUSH], values go to a sink, a full sink pauses the
 * stream and it resumes from the event log. A real database, the router, the memory bus.
 */

const MAX_PER_CONNECTION = 3;
let database: TestDatabase;
let db: Db;
let services: ChatServices;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, { max: 6 });
  services = createChatServices({
    db,
    bus: createMemoryBus(),
    authSecret: SECRET,
    limits: {
      sendRatePerSecond: 10_000,
      sendBurst: 10_000,
      maxSubscriptionsPerConnection: MAX_PER_CONNECTION,
    },
  });
});
afterAll(async () => {
  await services?.close();
  await closeDb(db, 1);
  await database?.drop();
});

const person = (name: string, role: 'client' | 'practitioner' = 'client') =>
  chat.registerUser(db, {
    email: `${name}-${randomUUID().slice(0, 8)}@example.com`,
    password: 'password-1',
    name,
    role,
  });

async function room() {
  const owner = await person('owner', 'practitioner');
  const reader = await person('reader', 'practitioner');
  const group = await chat.createGroup(services.deps, owner, {
    title: 'push',
    participantIds: [reader.id],
  });
  return { owner, reader, conversationId: group.id };
}

const send = (from: User, conversationId: string, n: number) =>
  chat.sendMessage(services.deps, from, {
    conversationId,
    clientId: randomUUID(),
    content: `message ${n}`,
  });

const socket = (): ConnectionState => ({ subscriptions: 0, replayGate: new Gate() });

/** A sink like the lean handler's, whose socket the test fills and drains at will. */
function sink() {
  const got = {
    /** The event ids delivered, in order (a batch counts each of its events). */
    ids: [] as number[],
    frames: 0,
    drainCalls: 0,
    ended: null as null | { error: unknown },
    full: null as null | { wait: Promise<void>; resolve: () => void },
    fill() {
      let resolve = () => {};
      const wait = new Promise<void>((r) => {
        resolve = r;
      });
      got.full = { wait, resolve };
    },
    drainNow() {
      const full = got.full;
      got.full = null;
      full?.resolve();
    },
  };
  return {
    got,
    sink: {
      data(value: unknown) {
        if (got.ended) throw new Error('data after end');
        if (!isTrackedEnvelope(value) || !(value[1] instanceof PreparedTracked))
          throw new Error('not a prepared tracked value');
        const data = JSON.parse(value[1].text).json.data as
          | { message: { seq: number } }
          | { events: { message: { seq: number } }[] };
        const events = 'events' in data ? data.events : [data];
        // An event's id is its seq in the log; the value's id is its (last) event's.
        const lastSeq = Number(value[0]);
        got.ids.push(...events.map((_, i) => lastSeq - events.length + 1 + i));
        got.frames++;
      },
      end(error?: unknown) {
        if (got.ended) throw new Error('ended twice');
        got.ended = { error };
      },
      drain() {
        got.drainCalls++;
        return got.full?.wait;
      },
    },
  };
}

async function open(
  user: User,
  path: 'onEvent' | 'onEvents',
  input: { conversationId: string; lastEventId?: string },
  connection: ConnectionState = socket(),
) {
  const ctx: Context = {
    services,
    auth: { ok: true, user, expiresAt: new Date(Date.now() + 3_600_000) },
    connection,
  };
  const stop = new AbortController();
  const caller = createCallerFactory(appRouter)(ctx, { signal: stop.signal });
  const stream = await caller.message[path](input);
  if (!isPushable(stream)) throw new Error('no push form');
  const { got, sink: s } = sink();
  stream[PUSH](s);
  return { got, stop: () => stop.abort(), connection };
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('message.onEvent in push form', () => {
  it('replays from lastEventId, then goes live: each event once, in order', async () => {
    const { owner, reader, conversationId } = await room();
    for (let i = 1; i <= 3; i++) await send(owner, conversationId, i);
    const s = await open(reader, 'onEvent', { conversationId, lastEventId: '1' });
    await eventually(() => expect(s.got.ids).toEqual([2, 3]));
    for (let i = 4; i <= 6; i++) await send(owner, conversationId, i);
    await eventually(() => expect(s.got.ids).toEqual(range(2, 6)));
    s.stop();
    expect(s.got.ended).toEqual({ error: undefined });
    await send(owner, conversationId, 7);
    await sleep(50);
    expect(s.got.ids).toEqual(range(2, 6));
  });

  it('stops writing while the sink is full, holding nothing, and resumes from the log once it drains', async () => {
    const { owner, reader, conversationId } = await room();
    const s = await open(reader, 'onEvent', { conversationId });
    await eventually(() =>
      expect(services.deps.bus.listenerCount(`c:${conversationId}:m`)).toBe(1),
    );
    await send(owner, conversationId, 1);
    await eventually(() => expect(s.got.ids).toEqual([1]));
    s.got.fill();
    const drainCalls = s.got.drainCalls;
    for (let i = 2; i <= 40; i++) await send(owner, conversationId, i);
    // Paused at the first event that found the sink full; the rest were dropped, not queued
    // (no second look at the sink, nothing written).
    expect(s.got.ids).toEqual([1]);
    expect(s.got.drainCalls).toBe(drainCalls + 1);
    s.got.drainNow();
    await eventually(() => expect(s.got.ids).toEqual(range(1, 40)));
    // …and live again.
    await send(owner, conversationId, 41);
    await eventually(() => expect(s.got.ids).toEqual(range(1, 41)));
    s.stop();
  });

  it('a replay waits for a full sink with its page, and carries on where it stopped', async () => {
    const { owner, reader, conversationId } = await room();
    for (let i = 1; i <= 30; i++) await send(owner, conversationId, i);
    const connection = socket();
    const s = await open(reader, 'onEvent', { conversationId, lastEventId: '0' }, connection);
    s.got.fill();
    await sleep(100);
    expect(s.got.ids).toEqual([]);
    s.got.drainNow();
    await eventually(() => expect(s.got.ids).toEqual(range(1, 30)));
    s.stop();
  });

  it('ends with FORBIDDEN the moment the reader is removed, and writes nothing after', async () => {
    const { owner, reader, conversationId } = await room();
    const s = await open(reader, 'onEvent', { conversationId });
    await send(owner, conversationId, 1);
    await eventually(() => expect(s.got.ids).toEqual([1]));
    await chat.removeParticipant(services.deps, owner, conversationId, reader.id);
    await eventually(() => expect(s.got.ended).not.toBeNull());
    expect(getTRPCErrorFromUnknown(s.got.ended?.error).code).toBe('FORBIDDEN');
    await send(owner, conversationId, 2);
    await sleep(50);
    expect(s.got.ids).toEqual([1]);
  });

  it('takes a slot of the socket’s budget, refuses past it with TOO_MANY_REQUESTS, and frees it when stopped', async () => {
    const { reader, conversationId } = await room();
    const connection = socket();
    const open1 = () => open(reader, 'onEvent', { conversationId }, connection);
    const held = [];
    for (let i = 0; i < MAX_PER_CONNECTION; i++) held.push(await open1());
    expect(connection.subscriptions).toBe(MAX_PER_CONNECTION);
    const refused = await open1();
    expect(getTRPCErrorFromUnknown(refused.got.ended?.error).code).toBe('TOO_MANY_REQUESTS');
    expect(connection.subscriptions).toBe(MAX_PER_CONNECTION);
    held[0]?.stop();
    expect(connection.subscriptions).toBe(MAX_PER_CONNECTION - 1);
    const again = await open1();
    expect(again.got.ended).toBeNull();
    for (const s of [...held, again]) s.stop();
    expect(connection.subscriptions).toBe(0);
    expect(services.subscriptionsByUser.get(reader.id)).toBeUndefined();
  });
});

describe('message.onEvents in push form', () => {
  it('writes the events of one tick as one frame, and pauses and resumes like onEvent', async () => {
    const { owner, reader, conversationId } = await room();
    const s = await open(reader, 'onEvents', { conversationId });
    await eventually(() =>
      expect(services.deps.bus.listenerCount(`c:${conversationId}:m`)).toBe(1),
    );
    await Promise.all(range(1, 20).map((i) => send(owner, conversationId, i)));
    await eventually(() => expect(s.got.ids).toEqual(range(1, 20)));
    expect(s.got.frames).toBeLessThan(20);
    s.got.fill();
    await Promise.all(range(21, 60).map((i) => send(owner, conversationId, i)));
    expect(s.got.ids).toEqual(range(1, 20));
    s.got.drainNow();
    await eventually(() => expect(s.got.ids).toEqual(range(1, 60)));
    s.stop();
  });
});
