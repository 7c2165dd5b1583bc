import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookedPair, type Stack, startStack } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ limits: { sendRatePerSecond: 10_000, sendBurst: 10_000 } });
});
afterAll(() => stack.close());

const outcome = (call: Promise<{ seq: number; content: string }>) =>
  call.then(
    (m) => `seq ${m.seq}: ${m.content}`,
    (e: { data?: { code?: string } }) => e.data?.code ?? 'error',
  );

describe('sends that share one statement', () => {
  it('each get the answer they would get alone', async () => {
    const one = await bookedPair(stack);
    const two = await bookedPair(stack);
    const first = await one.client.client.message.send.mutate({
      conversationId: one.conversation.id,
      clientId: randomUUID(),
      content: 'already there',
    });
    const other = await two.client.client.message.send.mutate({
      conversationId: two.conversation.id,
      clientId: randomUUID(),
      content: 'elsewhere',
    });
    const retried = randomUUID();
    const twice = randomUUID();
    const c1 = one.conversation.id;
    const c2 = two.conversation.id;
    // One tick: these all reach the server in one HTTP batch, and the server batches them.
    const results = await Promise.all([
      outcome(
        one.client.client.message.send.mutate({
          conversationId: c1,
          clientId: randomUUID(),
          content: 'a',
        }),
      ),
      outcome(
        one.practitioner.client.message.send.mutate({
          conversationId: c1,
          clientId: randomUUID(),
          content: 'b',
        }),
      ),
      // Not a participant of c1:
      outcome(
        two.client.client.message.send.mutate({
          conversationId: c1,
          clientId: randomUUID(),
          content: 'intruder',
        }),
      ),
      // A reply to a message of another conversation:
      outcome(
        one.client.client.message.send.mutate({
          conversationId: c1,
          clientId: randomUUID(),
          content: 'bad reply',
          replyToId: other.id,
        }),
      ),
      // A retry of a message sent earlier: the first one comes back.
      outcome(
        one.client.client.message.send.mutate({
          conversationId: c1,
          clientId: first.clientId,
          content: 'retry',
        }),
      ),
      // The same clientId twice within the batch: one message.
      outcome(
        one.client.client.message.send.mutate({
          conversationId: c1,
          clientId: twice,
          content: 'twin',
        }),
      ),
      outcome(
        one.client.client.message.send.mutate({
          conversationId: c1,
          clientId: twice,
          content: 'twin',
        }),
      ),
      outcome(
        two.client.client.message.send.mutate({
          conversationId: c2,
          clientId: retried,
          content: 'c',
        }),
      ),
      outcome(
        one.client.client.message.send.mutate({
          conversationId: c1,
          clientId: randomUUID(),
          content: 'reply',
          replyToId: first.id,
        }),
      ),
    ]);
    // Two clients make two HTTP requests, so only outcomes, not the seq order, are fixed.
    const [a, b, intruder, badReply, retry, twin1, twin2, c, reply] = results;
    expect([intruder, badReply, retry, c]).toEqual([
      'FORBIDDEN',
      'BAD_REQUEST',
      'seq 1: already there',
      'seq 2: c',
    ]);
    expect(twin1).toBe(twin2);
    const landed = [a, b, twin1, reply].map((r) => r?.replace(/^seq (\d+): .*/, '$1'));
    expect(landed.map(Number).sort()).toEqual([2, 3, 4, 5]);
    const rows = await stack.db.execute<{ seq: number; content: string }>(sql`
      select seq, content from messages where conversation_id = ${c1} order by seq`);
    expect(rows.map((r) => r.content).sort()).toEqual(['a', 'already there', 'b', 'reply', 'twin']);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    const events = await stack.db.execute<{ seq: number }>(
      sql`select seq from message_events where conversation_id = ${c1} order by seq`,
    );
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keep seq dense and ordered under heavy concurrent load from many senders', async () => {
    const rooms = await Promise.all([bookedPair(stack), bookedPair(stack), bookedPair(stack)]);
    await Promise.all(
      rooms.flatMap((room) =>
        [room.client, room.practitioner].map(async (member) => {
          for (let i = 0; i < 20; i++) {
            await Promise.all(
              Array.from({ length: 5 }, () =>
                member.client.message.send.mutate({
                  conversationId: room.conversation.id,
                  clientId: randomUUID(),
                  content: 'x',
                }),
              ),
            );
          }
        }),
      ),
    );
    // They really did share statements.
    const { statements, batchedSends } = stack.services.deps.sends.stats;
    expect(batchedSends).toBeGreaterThan(statements * 2);
    for (const room of rooms) {
      const rows = await stack.db.execute<{ seq: number; eseq: number }>(sql`
        select m.seq, e.seq as eseq from messages m
        join message_events e on e.message_id = m.id
        where m.conversation_id = ${room.conversation.id} order by m.seq`);
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(rows.map((r) => r.eseq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    }
  });
});
