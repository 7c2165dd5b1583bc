import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PresenceTracker } from '../src/domain/presence';
import type { PresenceBusEvent } from '../src/events';
import { topics } from '../src/events';
import { eventually, type Stack, startStack } from './harness';

let stack: Stack;
const problems: string[] = [];
beforeAll(async () => {
  stack = await startStack({
    log: (level, message) => level !== 'debug' && problems.push(message),
  });
});
afterAll(() => stack.close());
// A failed batch is only logged (nobody awaits it): a test that logs one has failed.
afterEach(() => expect(problems.filter((p) => p.startsWith('presence'))).toEqual([]));

/** Every presence event on the bus from now on. */
function watch() {
  const events: PresenceBusEvent[] = [];
  const stop = stack.bus.listen(topics.presence, (e) => events.push(e as PresenceBusEvent));
  return {
    events,
    stop,
    of: (id: string) => events.filter((e) => e.userId === id).map((e) => e.status),
  };
}

/** A process's tracker (its own node row), on the stack's database and bus. */
async function node(graceMs = 200) {
  const tracker = new PresenceTracker(stack.services.deps, `node-${randomUUID()}`, graceMs, 60_000);
  await tracker.start();
  return tracker;
}

async function users(n: number): Promise<string[]> {
  const members = await Promise.all(Array.from({ length: n }, () => stack.signUp()));
  return members.map((m) => m.user.id);
}

const rowsOf = (nodeId: string) =>
  stack.db.execute<{ userId: string; tx: string }>(
    sql`select user_id as "userId", xmin::text as tx from presence_connections where node_id = ${nodeId}`,
  );

describe('presence writes', () => {
  it('a burst of connects is written in one transaction, each user announced online once', async () => {
    const a = await node();
    const ids = await users(40);
    const bus = watch();
    for (const id of ids) a.connected(id);
    await eventually(async () => expect(await rowsOf(a.nodeId)).toHaveLength(ids.length));
    const rows = await rowsOf(a.nodeId);
    // Rows written by one transaction share its id.
    expect(new Set(rows.map((r) => r.tx)).size).toBe(1);
    await eventually(() => expect(bus.events).toHaveLength(ids.length));
    for (const id of ids) expect(bus.of(id)).toEqual(['online']);
    bus.stop();
    await a.stop();
  });

  it('goes offline after the grace, with lastSeenAt, only when no other node holds the user', async () => {
    const [a, b] = [await node(), await node()];
    const [id] = await users(1);
    if (!id) throw new Error('no user');
    const bus = watch();
    a.connected(id);
    b.connected(id);
    await eventually(async () => {
      expect(await rowsOf(a.nodeId)).toHaveLength(1);
      expect(await rowsOf(b.nodeId)).toHaveLength(1);
    });
    a.disconnected(id);
    await eventually(async () => expect(await rowsOf(a.nodeId)).toHaveLength(0));
    expect(bus.of(id)).toEqual(['online']);
    b.disconnected(id);
    await eventually(() => expect(bus.of(id)).toEqual(['online', 'offline']));
    const offline = bus.events.find((e) => e.userId === id && e.status === 'offline');
    const [row] = await stack.db.execute<{ lastSeenAt: Date }>(
      sql`select last_seen_at as "lastSeenAt" from users where id = ${id}`,
    );
    expect(row?.lastSeenAt).toBeInstanceOf(Date);
    expect(new Date(offline?.lastSeenAt ?? 0).getTime()).toBe(row?.lastSeenAt.getTime());
    bus.stop();
    await Promise.all([a.stop(), b.stop()]);
  });

  it('a user back within the grace never flaps, and a user gone past it comes back online', async () => {
    const a = await node(150);
    const [id] = await users(1);
    if (!id) throw new Error('no user');
    const bus = watch();
    a.connected(id);
    await eventually(() => expect(bus.of(id)).toEqual(['online']));
    a.disconnected(id);
    a.connected(id);
    a.disconnected(id);
    await eventually(() => expect(bus.of(id)).toEqual(['online', 'offline']));
    a.connected(id);
    await eventually(() => expect(bus.of(id)).toEqual(['online', 'offline', 'online']));
    expect(await rowsOf(a.nodeId)).toHaveLength(1);
    bus.stop();
    await a.stop();
  });

  it('a batch that fails (Postgres away a moment) is tried again: the user still comes online', async () => {
    const logged: string[] = [];
    let failures = 1;
    const { deps } = stack.services;
    // The real database, except that its first transaction fails as a lost connection would.
    const db = new Proxy(deps.db, {
      get(target, key) {
        if (key === 'transaction' && failures > 0) {
          failures--;
          return async () => {
            throw new Error('connection lost');
          };
        }
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const a = new PresenceTracker(
      { ...deps, db, log: (_level, message) => logged.push(message) },
      `node-${randomUUID()}`,
      200,
      60_000,
    );
    await a.start();
    const [id] = await users(1);
    const bus = watch();
    a.connected(id as string);
    await eventually(() => expect(logged).toContain('presence update failed'));
    await eventually(async () => expect(await rowsOf(a.nodeId)).toHaveLength(1));
    await eventually(() => expect(bus.of(id as string)).toEqual(['online']));
    bus.stop();
    await a.stop();
  });

  it('stop writes everyone here offline, in their grace or not', async () => {
    const a = await node(60_000);
    const [stays, leaves] = await users(2);
    if (!stays || !leaves) throw new Error('no users');
    const bus = watch();
    a.connected(stays);
    a.connected(leaves);
    await eventually(async () => expect(await rowsOf(a.nodeId)).toHaveLength(2));
    a.disconnected(leaves);
    await a.stop();
    expect(await rowsOf(a.nodeId)).toHaveLength(0);
    expect(bus.of(stays)).toEqual(['online', 'offline']);
    expect(bus.of(leaves)).toEqual(['online', 'offline']);
    bus.stop();
  });
});
