import { randomUUID } from 'node:crypto';
import type { TRPCClientError } from '@trpc/client';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../src';
import { bookedPair, codeOf, collector, type Stack, startStack } from './harness';

let stack: Stack;
beforeAll(async () => {
  // Generous limits here; the rate limit has its own stack below.
  stack = await startStack({ limits: { sendRatePerSecond: 1_000, sendBurst: 1_000 } });
});
afterAll(() => stack.close());

const send = (
  member: Awaited<ReturnType<typeof bookedPair>>['client'],
  conversationId: string,
  content: string,
) => member.client.message.send.mutate({ conversationId, clientId: randomUUID(), content });

describe('message.send', () => {
  it('50 concurrent sends end as seq 1..50 with no gap and no duplicate', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const senders = [practitioner, client];
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        send(senders[i % 2] as typeof client, conversation.id, `m${i}`),
      ),
    );
    expect(results.map((m) => m.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    const rows = await stack.db.execute<{ seq: number }>(
      sql`select seq from messages where conversation_id = ${conversation.id} order by seq`,
    );
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const events = await stack.db.execute<{ seq: number }>(
      sql`select seq from message_events where conversation_id = ${conversation.id} order by seq`,
    );
    expect(events.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('is idempotent on (sender, clientId): one row, one event, the first message back', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const events = collector<{ id: string }>();
    const sub = practitioner.client.message.onEvent.subscribe(
      { conversationId: conversation.id },
      events,
    );
    await new Promise((r) => setTimeout(r, 200));
    const clientId = randomUUID();
    const input = { conversationId: conversation.id, clientId, content: 'only once' };
    const [a, b] = await Promise.all([
      client.client.message.send.mutate(input),
      client.client.message.send.mutate(input),
    ]);
    const c = await client.client.message.send.mutate({
      ...input,
      content: 'a retry with other text',
    });
    expect(a.id).toBe(b.id);
    expect(c).toEqual(a);
    expect(c.content).toBe('only once');
    await send(client, conversation.id, 'next');
    await events.until((items) => items.length >= 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(events.items.map((e) => e.id)).toEqual(['1', '2']);
    const [row] = await stack.db.execute<{ n: number }>(
      sql`select count(*)::int as n from messages where client_id = ${clientId}`,
    );
    expect(row?.n).toBe(1);
    sub.unsubscribe();
  });

  it('trims content and refuses empty, too long, and malformed input with BAD_REQUEST', async () => {
    const { client, conversation } = await bookedPair(stack);
    const ok = await send(client, conversation.id, '  hello  ');
    expect(ok.content).toBe('hello');
    const base = { conversationId: conversation.id, clientId: randomUUID() };
    for (const input of [
      { ...base, content: '' },
      { ...base, content: '   \n ' },
      { ...base, content: 'x'.repeat(4_001) },
      { ...base, conversationId: 'not-a-uuid', content: 'hi' },
      { ...base, clientId: 'nope', content: 'hi' },
      { ...base, content: 'hi', replyToId: '123' },
    ]) {
      expect(await codeOf(client.client.message.send.mutate(input))).toBe('BAD_REQUEST');
    }
    expect((await send(client, conversation.id, 'x'.repeat(4_000))).content).toHaveLength(4_000);
    const [row] = await stack.db.execute<{ n: number }>(
      sql`select count(*)::int as n from messages where conversation_id = ${conversation.id}`,
    );
    expect(row?.n).toBe(2);
  });

  it('accepts replyToId only from the same conversation', async () => {
    const one = await bookedPair(stack);
    const two = await bookedPair(stack);
    const original = await send(one.client, one.conversation.id, 'question');
    const reply = await one.practitioner.client.message.send.mutate({
      conversationId: one.conversation.id,
      clientId: randomUUID(),
      content: 'answer',
      replyToId: original.id,
    });
    expect(reply.replyToId).toBe(original.id);
    const elsewhere = await send(two.client, two.conversation.id, 'other');
    const call = one.client.client.message.send.mutate({
      conversationId: one.conversation.id,
      clientId: randomUUID(),
      content: 'cross-reply',
      replyToId: elsewhere.id,
    });
    expect(await codeOf(call)).toBe('BAD_REQUEST');
    const [conv] = await stack.db.execute<{ last_seq: number }>(
      sql`select last_seq from conversations where id = ${one.conversation.id}`,
    );
    expect(conv?.last_seq).toBe(2);
  });
});

describe('message.edit and message.delete', () => {
  it('lets only the sender edit, records editedAt, and refuses edits after delete', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const m = await send(client, conversation.id, 'draft');
    expect(
      await codeOf(practitioner.client.message.edit.mutate({ messageId: m.id, content: 'hijack' })),
    ).toBe('FORBIDDEN');
    const edited = await client.client.message.edit.mutate({ messageId: m.id, content: 'final' });
    expect(edited).toMatchObject({ id: m.id, seq: m.seq, content: 'final' });
    expect(edited.editedAt).toBeInstanceOf(Date);
    expect(await codeOf(practitioner.client.message.delete.mutate({ messageId: m.id }))).toBe(
      'FORBIDDEN',
    );
    const deleted = await client.client.message.delete.mutate({ messageId: m.id });
    expect(deleted.content).toBe('');
    expect(deleted.deletedAt).toBeInstanceOf(Date);
    expect(
      await codeOf(client.client.message.edit.mutate({ messageId: m.id, content: 'revive' })),
    ).toBe('CONFLICT');
    // Deleting again is a no-op, not a second event.
    expect((await client.client.message.delete.mutate({ messageId: m.id })).deletedAt).toEqual(
      deleted.deletedAt,
    );
    const events = await stack.db.execute<{ type: string }>(
      sql`select type from message_events where conversation_id = ${conversation.id} order by seq`,
    );
    expect(events.map((e) => e.type)).toEqual([
      'message.created',
      'message.edited',
      'message.deleted',
    ]);
    expect(
      await codeOf(client.client.message.edit.mutate({ messageId: randomUUID(), content: 'x' })),
    ).toBe('NOT_FOUND');
  });
});

describe('message.list', () => {
  it('pages backwards by seq: empty, exactly one page, and many pages', async () => {
    const { client, conversation } = await bookedPair(stack);
    const list = (cursor?: number | null, limit = 10) =>
      client.client.message.list.query({ conversationId: conversation.id, cursor, limit });

    expect(await list()).toEqual({
      items: [],
      nextCursor: null,
      newerCursor: null,
      lastEventId: '0',
    });

    for (let i = 1; i <= 10; i++) await send(client, conversation.id, `m${i}`);
    const exact = await list();
    expect(exact.items.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(exact.nextCursor).toBeNull();
    expect(exact.lastEventId).toBe('10');

    for (let i = 11; i <= 25; i++) await send(client, conversation.id, `m${i}`);
    const seen: number[] = [];
    let cursor: number | null = null;
    let pages = 0;
    do {
      const page = await list(cursor);
      seen.unshift(...page.items.map((m) => m.seq));
      expect(page.items.map((m) => m.seq)).toEqual(
        [...page.items.map((m) => m.seq)].sort((a, b) => a - b),
      );
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const newest = await list(null, 1);
    expect(newest.items[0]?.content).toBe('m25');
    expect(newest.items[0]?.senderName).toBe(client.user.name);
  });

  it('caps the page size at 100', async () => {
    const { client, conversation } = await bookedPair(stack);
    expect(
      await codeOf(
        client.client.message.list.query({ conversationId: conversation.id, limit: 101 }),
      ),
    ).toBe('BAD_REQUEST');
    expect(
      await codeOf(client.client.message.list.query({ conversationId: conversation.id, limit: 0 })),
    ).toBe('BAD_REQUEST');
  });
});

describe('the send rate limit', () => {
  it('allows a burst of 20, then answers TOO_MANY_REQUESTS, and recovers at 5/s', async () => {
    const limited = await startStack();
    try {
      const { client, conversation } = await bookedPair(limited);
      const send = (content: string) =>
        client.client.message.send
          .mutate({ conversationId: conversation.id, clientId: randomUUID(), content })
          .then(
            () => 'OK',
            (e: TRPCClientError<AppRouter>) => `${e.data?.code}: ${e.message}`,
          );
      // 30 at once (one HTTP batch), so the bucket has no time to refill in between.
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => send(`b${i}`)));
      const ok = results.filter((r) => r === 'OK').length;
      expect(ok).toBeGreaterThanOrEqual(20);
      expect(ok).toBeLessThanOrEqual(21);
      const refused = results.filter((r) => r !== 'OK');
      for (const r of refused) expect(r).toMatch(/^TOO_MANY_REQUESTS: .*retry in \d+ ms/);
      // 5 per second sustained, counted in shared one-second windows: within a second the
      // refusal's retry time has passed and sends go through again.
      const waits = refused.map((r) => Number(/retry in (\d+) ms/.exec(r)?.[1]));
      for (const ms of waits) expect(ms).toBeLessThanOrEqual(1_000);
      await new Promise((r) => setTimeout(r, Math.max(...waits)));
      expect(await send('later')).toBe('OK');
      const [row] = await limited.db.execute<{ n: number }>(
        sql`select count(*)::int as n from messages where conversation_id = ${conversation.id}`,
      );
      expect(row?.n).toBe(ok + 1);
    } finally {
      await limited.close();
    }
  });
});
