import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookedPair, codeOf, type Member, type Stack, startStack } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ limits: { sendRatePerSecond: 10_000, sendBurst: 10_000 } });
});
afterAll(() => stack.close());

const send = (m: Member, conversationId: string, content: string, replyToId?: string) =>
  m.client.message.send.mutate({ conversationId, clientId: randomUUID(), content, replyToId });

describe('Message.replyTo', () => {
  it('quotes the original (excerpt of its current content), and follows edits and deletes', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const long = `${'é'.repeat(139)}👍 and more after the cut`;
    const original = await send(client, conversation.id, long);
    expect(original.replyTo).toBeNull();
    const reply = await send(practitioner, conversation.id, 'answer', original.id);
    expect(reply.replyTo).toEqual({
      id: original.id,
      seq: original.seq,
      senderId: client.user.id,
      senderName: client.user.name,
      excerpt: `${'é'.repeat(139)}👍`,
      deleted: false,
    });
    await client.client.message.edit.mutate({ messageId: original.id, content: 'short now' });
    const quoted = async () =>
      (await client.client.message.list.query({ conversationId: conversation.id })).items.find(
        (m) => m.id === reply.id,
      )?.replyTo;
    expect(await quoted()).toMatchObject({ excerpt: 'short now', deleted: false });
    await client.client.message.delete.mutate({ messageId: original.id });
    expect(await quoted()).toMatchObject({ id: original.id, excerpt: '', deleted: true });
  });

  it('is drawn on every send path, batched ones included', async () => {
    const { practitioner, conversation } = await bookedPair(stack);
    const original = await send(practitioner, conversation.id, 'the question');
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(practitioner, conversation.id, `reply ${i}`, i % 2 ? original.id : undefined),
      ),
    );
    for (const [i, r] of replies.entries()) {
      expect(r.replyTo?.excerpt ?? null).toBe(i % 2 ? 'the question' : null);
      expect(r.reactions).toEqual([]);
    }
  });

  it('refuses a reply to a message of another conversation', async () => {
    const one = await bookedPair(stack);
    const two = await bookedPair(stack);
    const elsewhere = await send(two.client, two.conversation.id, 'other');
    expect(await codeOf(send(one.client, one.conversation.id, 'cross', elsewhere.id))).toBe(
      'BAD_REQUEST',
    );
  });
});

describe('message.replies', () => {
  it('lists the direct replies oldest first, in pages, for members only', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const outsider = await stack.signUp('practitioner');
    const root = await send(client, conversation.id, 'root');
    const direct: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await send(i % 2 ? client : practitioner, conversation.id, `r${i}`, root.id);
      direct.push(r.id);
      await send(client, conversation.id, `nested ${i}`, r.id);
      await send(client, conversation.id, `unrelated ${i}`);
    }
    const seen: string[] = [];
    let cursor: number | null = null;
    for (let page = 0; page < 10; page++) {
      const result: { items: { id: string }[]; nextCursor: number | null } =
        await practitioner.client.message.replies.query({ messageId: root.id, limit: 3, cursor });
      seen.push(...result.items.map((m) => m.id));
      cursor = result.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual(direct);
    expect(await codeOf(outsider.client.message.replies.query({ messageId: root.id }))).toBe(
      'NOT_FOUND',
    );
    expect(
      await codeOf(client.client.message.replies.query({ messageId: root.id, limit: 101 })),
    ).toBe('BAD_REQUEST');
  });
});

describe('message.list around a message', () => {
  it('pages from any point both ways and covers every message exactly once', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const conversationId = conversation.id;
    const total = 57;
    for (let i = 1; i <= total; i++) await send(client, conversationId, `m${i}`);
    const all = Array.from({ length: total }, (_, i) => i + 1);
    for (const aroundSeq of [1, 2, 20, 56, 57, 500]) {
      const first = await practitioner.client.message.list.query({
        conversationId,
        aroundSeq,
        limit: 10,
      });
      if (aroundSeq <= total) expect(first.items.map((m) => m.seq)).toContain(aroundSeq);
      const seqs = first.items.map((m) => m.seq);
      let older = first.nextCursor;
      for (let page = 0; older !== null && page < 20; page++) {
        const p = await practitioner.client.message.list.query({
          conversationId,
          cursor: older,
          limit: 10,
        });
        seqs.unshift(...p.items.map((m) => m.seq));
        older = p.nextCursor;
      }
      let newer = first.newerCursor;
      for (let page = 0; newer !== null && page < 20; page++) {
        const p = await practitioner.client.message.list.query({
          conversationId,
          newerCursor: newer,
          limit: 10,
        });
        seqs.push(...p.items.map((m) => m.seq));
        newer = p.newerCursor;
      }
      expect(`${aroundSeq}: ${seqs.join(',')}`).toBe(`${aroundSeq}: ${all.join(',')}`);
    }
    const newest = await client.client.message.list.query({ conversationId, limit: 5 });
    expect(newest.newerCursor).toBeNull();
    expect(newest.items.map((m) => m.seq)).toEqual([53, 54, 55, 56, 57]);
  });

  it('refuses mixed cursors with BAD_REQUEST and outsiders with FORBIDDEN', async () => {
    const { client, conversation } = await bookedPair(stack);
    const outsider = await stack.signUp('practitioner');
    const conversationId = conversation.id;
    expect(
      await codeOf(client.client.message.list.query({ conversationId, aroundSeq: 3, cursor: 5 })),
    ).toBe('BAD_REQUEST');
    expect(await codeOf(client.client.message.list.query({ conversationId, aroundSeq: 0 }))).toBe(
      'BAD_REQUEST',
    );
    expect(await codeOf(outsider.client.message.list.query({ conversationId, aroundSeq: 1 }))).toBe(
      'FORBIDDEN',
    );
  });
});
