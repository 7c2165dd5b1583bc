import { randomUUID } from 'node:crypto';
import { chat, type Message, type MessageEvent, type User } from '@estuary/api';
import { startTestServer, type TestServer } from '@estuary/api/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatClient, createChatClient, followConversation } from '../src';

let server: TestServer;
const clients: ChatClient[] = [];
beforeAll(async () => {
  server = await startTestServer({ limits: { sendRatePerSecond: 1_000, sendBurst: 1_000 } });
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await server.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

let n = 0;
async function user(role: 'client' | 'practitioner' = 'client'): Promise<User> {
  const email = `client-test-${++n}-${randomUUID().slice(0, 6)}@example.com`;
  return chat.registerUser(server.db, {
    email,
    password: 'password-1',
    name: `User ${n}`,
    role,
  });
}
function connect(u: User, options: { httpUrl?: string | null; wsUrl?: string } = {}) {
  const client = createChatClient({
    ...(options.httpUrl === null ? {} : { httpUrl: options.httpUrl ?? server.httpUrl }),
    wsUrl: options.wsUrl ?? server.wsUrl,
    getToken: async () => (await server.services.tokens.issue(u.id)).token,
    retryDelayMs: () => 50,
  });
  clients.push(client);
  return client;
}
async function pair() {
  const [a, b] = [await user(), await user('practitioner')];
  const conversation = await connect(a).conversation.direct.mutate({ userId: b.id });
  return { a, b, conversationId: conversation.id };
}
async function eventLog(conversationId: string) {
  const rows = await server.db.execute<{ seq: number }>(
    sql`select seq from message_events where conversation_id = ${conversationId} order by seq`,
  );
  return rows.map((r) => String(r.seq));
}

describe('createChatClient', () => {
  it('sends queries and mutations over HTTP: they work while no socket can connect', async () => {
    const { a, conversationId } = await pair();
    const client = connect(a, { wsUrl: 'ws://127.0.0.1:9' });
    expect((await client.auth.me.query()).id).toBe(a.id);
    const sent = await client.message.send.mutate({
      conversationId,
      clientId: randomUUID(),
      content: 'over http',
    });
    expect(sent.seq).toBe(1);
  });

  it('without an HTTP URL, does everything over the socket, splitting batches the frame limit would refuse', async () => {
    const { a, conversationId } = await pair();
    const client = connect(a, { httpUrl: null });
    // Eight 12 KB messages in one tick: tRPC would batch them into one ~96 KB frame.
    const big = '€'.repeat(3_990);
    const sent = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        client.message.send.mutate({
          conversationId,
          clientId: randomUUID(),
          content: `${i}${big}`,
        }),
      ),
    );
    expect(sent.map((m) => m.seq).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('followConversation', () => {
  it('delivers history, then live events, across dropped sockets, ending identical to the database', async () => {
    const { a, b, conversationId } = await pair();
    const writer = connect(a);
    await writer.message.send.mutate({ conversationId, clientId: randomUUID(), content: 'before' });
    const history: Message[][] = [];
    const ids: string[] = [];
    const events: MessageEvent[] = [];
    const follow = followConversation(connect(b), {
      conversationId,
      onHistory: (page) => history.push(page.items),
      onEvent: (event, id) => {
        events.push(event);
        ids.push(id);
      },
    });
    await until(() => history.length === 1);
    expect(history[0]?.map((m) => m.content)).toEqual(['before']);
    for (let i = 0; i < 60; i++) {
      await writer.message.send.mutate({
        conversationId,
        clientId: randomUUID(),
        content: `m${i}`,
      });
      if (i % 20 === 10) server.dropSockets();
    }
    const log = await eventLog(conversationId);
    await until(() => ids.length >= log.length - 1);
    expect(ids).toEqual(log.slice(1));
    expect(follow.lastEventId).toBe(log.at(-1));
    expect(history).toHaveLength(1);
    follow.close();
  });

  it('refetches history when it fell too far behind to resume, then carries on live', async () => {
    const { a, b, conversationId } = await pair();
    const writer = connect(a);
    const histories: string[][] = [];
    const ids: string[] = [];
    const follow = followConversation(connect(b), {
      conversationId,
      lastEventId: '0',
      onHistory: (page) => histories.push(page.items.map((m) => m.content)),
      onEvent: (_event, id) => ids.push(id),
    });
    await writer.message.send.mutate({ conversationId, clientId: randomUUID(), content: 'one' });
    await until(() => ids.length === 1);
    // The reader goes away; meanwhile the log is pruned past where it stopped.
    follow.close();
    for (const content of ['two', 'three']) {
      await writer.message.send.mutate({ conversationId, clientId: randomUUID(), content });
    }
    await server.db.execute(
      sql`delete from message_events where conversation_id = ${conversationId} and seq <= 2`,
    );
    const again = followConversation(connect(b), {
      conversationId,
      lastEventId: follow.lastEventId,
      onHistory: (page) => histories.push(page.items.map((m) => m.content)),
      onEvent: (_event, id) => ids.push(id),
    });
    await until(() => histories.length === 1);
    expect(histories[0]).toEqual(['one', 'two', 'three']);
    await writer.message.send.mutate({ conversationId, clientId: randomUUID(), content: 'four' });
    await until(() => ids.at(-1) === '4');
    again.close();
  });

  it('stops and says why when it has no access', async () => {
    const { conversationId } = await pair();
    const stranger = await user();
    const errors: Error[] = [];
    followConversation(connect(stranger), {
      conversationId,
      lastEventId: '0',
      onEvent: () => {},
      onFatal: (error) => errors.push(error),
    });
    await until(() => errors.length === 1);
    expect(errors[0]?.message).toMatch(/not a participant/);
  });
});
