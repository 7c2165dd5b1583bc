import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookedPair, codeOf, type Stack, startStack } from './harness';

// One router serves every server; each server's configured limits hold at call time.
let small: Stack;
let large: Stack;
beforeAll(async () => {
  [small, large] = await Promise.all([
    startStack({ limits: { maxContentLength: 10, maxPageSize: 5 } }),
    startStack({ limits: { maxContentLength: 6_000, maxPageSize: 300 } }),
  ]);
});
afterAll(async () => {
  await Promise.all([small?.close(), large?.close()]);
});

describe('configured limits', () => {
  it('refuses content and pages over a smaller limit with BAD_REQUEST', async () => {
    const { client, conversation } = await bookedPair(small);
    const send = (content: string) =>
      client.client.message.send.mutate({
        conversationId: conversation.id,
        clientId: randomUUID(),
        content,
      });
    expect(await codeOf(send('x'.repeat(11)))).toBe('BAD_REQUEST');
    const sent = await send('x'.repeat(10));
    expect(sent.content).toHaveLength(10);
    expect(
      await codeOf(
        client.client.message.edit.mutate({ messageId: sent.id, content: 'y'.repeat(11) }),
      ),
    ).toBe('BAD_REQUEST');
    const list = (limit: number) =>
      client.client.message.list.query({ conversationId: conversation.id, limit });
    expect(await codeOf(list(6))).toBe('BAD_REQUEST');
    expect((await list(5)).items).toHaveLength(1);
    expect(await codeOf(client.client.conversation.list.query({ limit: 6 }))).toBe('BAD_REQUEST');
    expect(await codeOf(client.client.user.contacts.query({ limit: 6 }))).toBe('BAD_REQUEST');
  });

  it('accepts content and pages up to a larger limit', async () => {
    const { client, conversation } = await bookedPair(large);
    const sent = await client.client.message.send.mutate({
      conversationId: conversation.id,
      clientId: randomUUID(),
      content: 'x'.repeat(6_000),
    });
    expect(sent.content).toHaveLength(6_000);
    const page = await client.client.message.list.query({
      conversationId: conversation.id,
      limit: 300,
    });
    expect(page.items).toHaveLength(1);
    expect((await client.client.conversation.list.query({ limit: 300 })).items).toHaveLength(1);
  });
});
