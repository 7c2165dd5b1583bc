import { randomUUID } from 'node:crypto';
import { chat, type User } from '@estuary/api';
import { startTestServer, type TestServer } from '@estuary/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatClient, createChatClient, DeliveryMarker, followConversation } from '../src';

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
let n = 0;
const user = (role: 'client' | 'practitioner' = 'client'): Promise<User> =>
  chat.registerUser(server.db, {
    email: `delivery-${++n}-${randomUUID().slice(0, 6)}@example.com`,
    password: 'password-1',
    name: `User ${n}`,
    role,
  });
function connect(u: User) {
  const client = createChatClient({
    httpUrl: server.httpUrl,
    wsUrl: server.wsUrl,
    getToken: async () => (await server.services.tokens.issue(u.id)).token,
    retryDelayMs: () => 50,
  });
  clients.push(client);
  return client;
}

describe('DeliveryMarker', () => {
  it('marks a burst once per conversation, with the highest seq, and never backwards', async () => {
    const calls: [string, number][] = [];
    const marker = new DeliveryMarker(async (id, seq) => {
      calls.push([id, seq]);
    }, 20);
    for (let seq = 1; seq <= 10; seq++) marker.note('a', seq);
    marker.note('b', 3);
    marker.note('a', 4);
    await sleep(60);
    expect(calls).toEqual([
      ['a', 10],
      ['b', 3],
    ]);
    marker.note('a', 9);
    marker.note('a', 11);
    await sleep(60);
    expect(calls.at(-1)).toEqual(['a', 11]);
    expect(calls).toHaveLength(3);
    marker.close();
  });

  it('tries again after a failed mark', async () => {
    let fail = true;
    const calls: number[] = [];
    const marker = new DeliveryMarker(async (_id, seq) => {
      calls.push(seq);
      if (fail) throw new Error('offline');
    }, 10);
    marker.note('a', 5);
    await sleep(40);
    fail = false;
    marker.note('a', 5);
    await sleep(40);
    expect(calls).toEqual([5, 5]);
    marker.close();
  });
});

describe('followConversation marks delivery', () => {
  it('moves the follower’s delivered watermark as messages arrive', async () => {
    const [a, b] = [await user(), await user('practitioner')];
    const conversation = await connect(a).conversation.direct.mutate({ userId: b.id });
    const seen: number[] = [];
    const follow = followConversation(connect(b), {
      conversationId: conversation.id,
      onEvent: (event) => seen.push(event.message.seq),
    });
    const sender = connect(a);
    await sleep(300);
    for (let i = 0; i < 5; i++)
      await sender.message.send.mutate({
        conversationId: conversation.id,
        clientId: randomUUID(),
        content: `m${i}`,
      });
    const deadline = Date.now() + 15_000;
    let delivered = 0;
    while (delivered < 5 && Date.now() < deadline) {
      const receipts = await sender.receipt.list.query({ conversationId: conversation.id });
      delivered = receipts.find((r) => r.userId === b.id)?.lastDeliveredSeq ?? 0;
      await sleep(100);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(delivered).toBe(5);
    follow.close();
  });
});
