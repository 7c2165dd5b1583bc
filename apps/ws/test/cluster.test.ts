import { randomUUID } from 'node:crypto';
import { CONNECTION_LOST, createChatClient } from '@estuary/client';
import { createRedisBus } from '@estuary/realtime';
import { redisServerBinary, startRedis } from '@estuary/realtime/testing';
import { TRPCClientError } from '@trpc/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { externalRedisUrl } from './env';
import { startWorld, type World } from './fixtures';
import { startNode, type WsNode } from './nodes';
import { startWeb } from './web';
import {
  balancer,
  chatRooms,
  createdSeqs,
  expectEveryoneHasEverything,
  metric,
  sleep,
  stream,
} from './workload';

/**
 * Several ws processes behind a pretend load balancer, sharing Postgres (and Redis). Clients
 * of a node that dies reconnect to another with lastEventId; everyone must end with the
 * complete history, identical to the database.
 */

let world: World;
const nodes: WsNode[] = [];
beforeAll(async () => {
  world = await startWorld();
});
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.kill()));
});
afterAll(() => world?.close());

const FAST = {
  SEND_RATE_PER_SECOND: '10000',
  SEND_BURST: '10000',
  WS_PING_MS: '2000',
  WS_PONG_WAIT_MS: '2000',
};

async function cluster(count: number, env: Record<string, string | undefined>) {
  for (let i = 0; i < count; i++)
    nodes.push(await startNode({ DATABASE_URL: world.url, ...FAST, ...env }));
  return balancer([...nodes]);
}

async function killMidStream(redisUrl: string | undefined) {
  const lb = await cluster(3, { REDIS_URL: redisUrl });
  const { rooms, received, stop } = await chatRooms(world, {
    rooms: 4,
    members: 4,
    url: (i) => lb.urlFor(i),
  });
  await sleep(500);
  const victim = nodes[1] as WsNode;
  await stream(rooms, {
    total: 2_000,
    concurrency: 8,
    at: {
      700: async () => {
        lb.remove(victim);
        await victim.kill('SIGKILL');
      },
    },
  });
  const { mismatches } = await expectEveryoneHasEverything(world, received);
  stop();
  expect(mismatches).toEqual([]);
  for (const r of received) {
    const seqs = createdSeqs(r);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(r.ids).size).toBe(r.ids.length);
  }
  const total = (await Promise.all(rooms.map((room) => world.eventLog(room.id)))).reduce(
    (n, log) => n + log.length,
    0,
  );
  expect(total).toBe(2_000);
  expect(received.filter((r) => r.errors.length > 0)).toEqual([]);
  // The survivors really talked through the bus, not only through Postgres catch-up.
  for (const node of lb.alive) {
    expect(await metric(node, 'estuary_bus_messages_in_total')).toBeGreaterThan(100);
    expect(await metric(node, 'estuary_bus_messages_out_total')).toBeGreaterThan(100);
  }
}

const redisBin = redisServerBinary();
const redisUrl = externalRedisUrl;

describe.runIf(redisUrl || redisBin)('three ws nodes with Redis', () => {
  let ownRedis: Awaited<ReturnType<typeof startRedis>> | null = null;
  let url: string;
  beforeAll(async () => {
    if (redisUrl) url = redisUrl;
    else {
      ownRedis = await startRedis(redisBin as string);
      url = ownRedis.url;
    }
  });
  afterAll(() => ownRedis?.stop());

  it('deliver every message to every member, in order, through a SIGKILL of one node mid-stream', async () => {
    await killMidStream(url);
  });
});

describe('three ws nodes without Redis (Postgres LISTEN/NOTIFY)', () => {
  it('deliver every message to every member, in order, through a SIGKILL of one node mid-stream', async () => {
    await killMidStream(undefined);
  });

  it('carry a message sent over HTTP to apps/web to subscribers on the ws nodes', async () => {
    const web = await startWeb(world.url);
    try {
      const lb = await cluster(2, {});
      const { rooms, received, stop } = await chatRooms(world, {
        rooms: 1,
        members: 3,
        url: (i) => lb.urlFor(i),
      });
      await sleep(500);
      const [room] = rooms;
      const sender = room?.members[0];
      if (!room || !sender) throw new Error('no room');
      // The same user, but its mutations go over HTTP to the web app.
      const overHttp = createChatClient({
        httpUrl: web.url,
        wsUrl: nodes[0]?.url ?? '',
        getToken: async () => (await world.tokens.issue(sender.user.id)).token,
      });
      const busIn = () =>
        Promise.all([...lb.alive].map((n) => metric(n, 'estuary_bus_messages_in_total')));
      const before = await busIn();
      const sent = await overHttp.message.send.mutate({
        conversationId: room.id,
        clientId: randomUUID(),
        content: 'via the web app',
      });
      await overHttp.close();
      const { mismatches } = await expectEveryoneHasEverything(world, received, 20_000);
      stop();
      expect(mismatches).toEqual([]);
      for (const r of received) expect(r.events.map((e) => e.message.id)).toContain(sent.id);
      // It arrived through the bus (a NOTIFY from web), not by catching up from Postgres.
      const after = await busIn();
      for (const [i, n] of after.entries()) expect(n).toBeGreaterThan(before[i] ?? Number.NaN);
    } finally {
      await web.stop();
    }
  });
});

describe.runIf(redisBin)('a Redis restart mid-stream', () => {
  it('loses no message: sends keep committing, subscribers catch up from Postgres, delivery resumes', async () => {
    const redis = await startRedis(redisBin as string);
    try {
      const lb = await cluster(2, { REDIS_URL: redis.url });
      const { rooms, received, stop } = await chatRooms(world, {
        rooms: 3,
        members: 3,
        url: (i) => lb.urlFor(i),
      });
      await sleep(500);
      let degraded = false;
      await stream(rooms, {
        total: 600,
        concurrency: 4,
        at: {
          200: async () => {
            await redis.stop('SIGKILL');
            // Readiness reports the degradation while the process keeps serving.
            const ready = await fetch(`${nodes[0]?.http}/readyz`);
            const body = (await ready.json()) as { checks: { bus: { ok: boolean } } };
            degraded = ready.status === 503 && body.checks.bus.ok === false;
          },
          350: async () => {
            await redis.start();
          },
        },
      });
      expect(degraded).toBe(true);
      const { mismatches } = await expectEveryoneHasEverything(world, received);
      stop();
      expect(mismatches).toEqual([]);
      // Redis is live again and carries new messages between the nodes.
      const probe = createRedisBus(redis.url);
      expect((await probe.check()).ok).toBe(true);
      await probe.close();
      for (const node of nodes) {
        const ready = await fetch(`${node.http}/readyz`);
        expect(ready.status).toBe(200);
      }
    } finally {
      await redis.stop();
    }
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM: in-flight sends commit or fail clearly, clients resume elsewhere, the process exits 0 in time', async () => {
    const lb = await cluster(2, { SHUTDOWN_TIMEOUT_MS: '3000' });
    const { rooms, received, stop } = await chatRooms(world, {
      rooms: 3,
      members: 3,
      url: (i) => lb.urlFor(i),
    });
    await sleep(500);
    const leaving = nodes[0] as WsNode;
    const exit: { code?: number | null; ms?: number } = {};
    const { failures } = await stream(rooms, {
      total: 600,
      concurrency: 6,
      at: {
        250: async () => {
          lb.remove(leaving);
          const started = Date.now();
          leaving.process.kill('SIGTERM');
          exit.code = await leaving.exited;
          exit.ms = Date.now() - started;
        },
      },
    });
    expect(exit.code).toBe(0);
    expect(exit.ms).toBeLessThan(8_000);
    expect(leaving.output()).not.toMatch(/timed out/);
    // A send caught by the shutdown failed with an error that says what happened (and was
    // retried elsewhere with the same clientId); none hung, none was doubled.
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(TRPCClientError);
      const { data, message } = failure as { data?: { code?: string }; message: string };
      if (data) {
        expect(data.code).toBe('SERVICE_UNAVAILABLE');
        expect(message).toMatch(/shutting down/);
      } else {
        expect(message).toBe(CONNECTION_LOST);
      }
    }
    const { mismatches } = await expectEveryoneHasEverything(world, received);
    stop();
    expect(mismatches).toEqual([]);
  });
});
