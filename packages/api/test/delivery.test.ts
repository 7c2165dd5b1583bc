import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Receipt } from '../src';
import { topics } from '../src/events';
import {
  bookedPair,
  codeOf,
  collector,
  type Member,
  type Stack,
  sleep,
  startStack,
} from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ limits: { sendRatePerSecond: 1_000, sendBurst: 1_000 } });
});
afterAll(() => stack.close());

const send = (m: Member, conversationId: string, content: string) =>
  m.client.message.send.mutate({ conversationId, clientId: randomUUID(), content });

describe('receipt.markDelivered', () => {
  it('moves the delivered watermark forward only, announces it, and reading implies it', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const conversationId = conversation.id;
    for (let i = 0; i < 5; i++) await send(client, conversationId, `m${i}`);
    const changes = collector<Receipt & { conversationId: string }>();
    const sub = client.client.receipt.onRead.subscribe({ conversationId }, changes);
    await stack.listening(topics.receipts(conversationId));
    const deliver = (seq: number) =>
      practitioner.client.receipt.markDelivered.mutate({ conversationId, seq });

    const first = await deliver(2);
    expect(first).toMatchObject({
      userId: practitioner.user.id,
      lastDeliveredSeq: 2,
      lastReadSeq: 0,
    });
    expect(first.deliveredAt).toBeInstanceOf(Date);
    expect((await deliver(1)).lastDeliveredSeq).toBe(2);
    expect((await deliver(99)).lastDeliveredSeq).toBe(5);

    // Reading past the delivered watermark raises it; reading below it leaves it.
    await send(client, conversationId, 'six');
    const read = await practitioner.client.receipt.markRead.mutate({ conversationId, seq: 6 });
    expect(read).toMatchObject({ lastReadSeq: 6, lastDeliveredSeq: 6 });
    expect((await deliver(3)).lastDeliveredSeq).toBe(6);

    await changes.until((items) => items.length === 3);
    await sleep(150);
    expect(changes.items.map((r) => [r.lastDeliveredSeq, r.lastReadSeq])).toEqual([
      [2, 0],
      [5, 0],
      [6, 6],
    ]);
    expect(changes.items.every((r) => r.conversationId === conversationId)).toBe(true);

    const list = await client.client.receipt.list.query({ conversationId });
    expect(list.find((r) => r.userId === practitioner.user.id)).toMatchObject({
      lastDeliveredSeq: 6,
      lastReadSeq: 6,
    });
    expect(list.find((r) => r.userId === client.user.id)).toMatchObject({
      lastDeliveredSeq: 0,
      deliveredAt: null,
    });
    sub.unsubscribe();
  });

  it('refuses bad input and outsiders, and changes nothing', async () => {
    const { practitioner, conversation } = await bookedPair(stack);
    const outsider = await stack.signUp();
    const conversationId = conversation.id;
    expect(
      await codeOf(practitioner.client.receipt.markDelivered.mutate({ conversationId, seq: -1 })),
    ).toBe('BAD_REQUEST');
    expect(
      await codeOf(outsider.client.receipt.markDelivered.mutate({ conversationId, seq: 1 })),
    ).toBe('FORBIDDEN');
    expect(
      await codeOf(stack.anonymous.receipt.markDelivered.mutate({ conversationId, seq: 1 })),
    ).toBe('UNAUTHORIZED');
    const list = await practitioner.client.receipt.list.query({ conversationId });
    expect(list.every((r) => r.lastDeliveredSeq === 0)).toBe(true);
  });
});

describe('conversation.setMuted', () => {
  it('mutes for the caller only and shows in summaries', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const conversationId = conversation.id;
    const muted = await client.client.conversation.setMuted.mutate({ conversationId, muted: true });
    expect(muted).toMatchObject({ id: conversationId, muted: true });
    const mine = await client.client.conversation.list.query();
    expect(mine.items.find((c) => c.id === conversationId)?.muted).toBe(true);
    const theirs = await practitioner.client.conversation.list.query();
    expect(theirs.items.find((c) => c.id === conversationId)?.muted).toBe(false);
    const unmuted = await client.client.conversation.setMuted.mutate({
      conversationId,
      muted: false,
    });
    expect(unmuted.muted).toBe(false);

    const outsider = await stack.signUp();
    expect(
      await codeOf(outsider.client.conversation.setMuted.mutate({ conversationId, muted: true })),
    ).toBe('FORBIDDEN');
    expect(
      await codeOf(
        client.client.conversation.setMuted.mutate({ conversationId, muted: 'yes' as never }),
      ),
    ).toBe('BAD_REQUEST');
  });
});
