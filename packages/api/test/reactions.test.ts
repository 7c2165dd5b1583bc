import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageEvent } from '../src';
import { isOneEmoji } from '../src/domain/reactions';
import { topics } from '../src/events';
import { book, bookedPair, codeOf, collector, type Stack, startStack } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ limits: { sendRatePerSecond: 1_000, sendBurst: 1_000 } });
});
afterAll(() => stack.close());

type Tracked = { id: string; data: MessageEvent };

async function eventTypes(conversationId: string) {
  const rows = await stack.db.execute<{ type: string }>(
    sql`select type from message_events where conversation_id = ${conversationId} order by seq`,
  );
  return rows.map((r) => r.type);
}

describe('isOneEmoji', () => {
  it('accepts one emoji of any shape and refuses anything else', () => {
    for (const ok of ['👍', '❤️', '👍🏽', '👩‍👩‍👧', '🇫🇷', '1️⃣', '🫶']) {
      expect(`${ok}:${isOneEmoji(ok)}`).toBe(`${ok}:true`);
    }
    for (const bad of ['', 'a', '1', '👍👍', '👍 ', ':)', '<b>', 'x'.repeat(100)]) {
      expect(`${bad}:${isOneEmoji(bad)}`).toBe(`${bad}:false`);
    }
  });
});

describe('reaction.add and reaction.remove', () => {
  it('are idempotent, group by emoji in order of first use, and log one event per change', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const message = await client.client.message.send.mutate({
      conversationId: conversation.id,
      clientId: randomUUID(),
      content: 'hello',
    });
    expect(message.reactions).toEqual([]);
    const messageId = message.id;
    await client.client.reaction.add.mutate({ messageId, emoji: '👍' });
    const twice = await client.client.reaction.add.mutate({ messageId, emoji: '👍' });
    expect(twice.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [client.user.id] }]);
    await practitioner.client.reaction.add.mutate({ messageId, emoji: '🎉' });
    const both = await practitioner.client.reaction.add.mutate({ messageId, emoji: '👍' });
    expect(both.reactions).toEqual([
      { emoji: '👍', count: 2, userIds: [client.user.id, practitioner.user.id] },
      { emoji: '🎉', count: 1, userIds: [practitioner.user.id] },
    ]);
    await client.client.reaction.remove.mutate({ messageId, emoji: '👍' });
    const removed = await client.client.reaction.remove.mutate({ messageId, emoji: '👍' });
    // The first 👍 is gone: the remaining one came after 🎉.
    expect(removed.reactions).toEqual([
      { emoji: '🎉', count: 1, userIds: [practitioner.user.id] },
      { emoji: '👍', count: 1, userIds: [practitioner.user.id] },
    ]);
    // Every read path carries them.
    const page = await client.client.message.list.query({ conversationId: conversation.id });
    expect(page.items[0]?.reactions).toEqual(removed.reactions);
    const summary = (await client.client.conversation.list.query()).items[0];
    expect(summary?.lastMessage?.reactions).toEqual(removed.reactions);
    // created, 👍, 🎉, 👍 (practitioner), remove 👍: the repeats wrote nothing.
    expect(await eventTypes(conversation.id)).toEqual([
      'message.created',
      'message.reacted',
      'message.reacted',
      'message.reacted',
      'message.reacted',
    ]);
  });

  it('refuses bad emoji, a 21st distinct emoji, deleted messages, and non-members', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const outsider = await stack.signUp('practitioner');
    const { id: messageId } = await client.client.message.send.mutate({
      conversationId: conversation.id,
      clientId: randomUUID(),
      content: 'react to me',
    });
    for (const emoji of ['', 'a', '👍👍', '<script>']) {
      expect(await codeOf(client.client.reaction.add.mutate({ messageId, emoji }))).toBe(
        'BAD_REQUEST',
      );
    }
    const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗🤩'];
    expect(emoji).toHaveLength(21);
    for (const e of emoji.slice(0, 20)) {
      await client.client.reaction.add.mutate({ messageId, emoji: e });
    }
    expect(
      await codeOf(client.client.reaction.add.mutate({ messageId, emoji: emoji[20] ?? '' })),
    ).toBe('BAD_REQUEST');
    // An emoji already there is still fine for someone else.
    const joined = await practitioner.client.reaction.add.mutate({ messageId, emoji: '😀' });
    expect(joined.reactions).toHaveLength(20);
    expect(joined.reactions[0]).toMatchObject({ emoji: '😀', count: 2 });

    expect(await codeOf(outsider.client.reaction.add.mutate({ messageId, emoji: '👍' }))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(outsider.client.reaction.remove.mutate({ messageId, emoji: '😀' }))).toBe(
      'FORBIDDEN',
    );
    expect(
      await codeOf(client.client.reaction.add.mutate({ messageId: randomUUID(), emoji: '👍' })),
    ).toBe('NOT_FOUND');
    await client.client.message.delete.mutate({ messageId });
    expect(await codeOf(practitioner.client.reaction.add.mutate({ messageId, emoji: '👍' }))).toBe(
      'CONFLICT',
    );
  });

  it('refuses a participant once removed from the group', async () => {
    const owner = await stack.signUp('practitioner');
    const guest = await stack.signUp('client');
    await book(owner, guest);
    const group = await owner.client.conversation.createGroup.mutate({
      title: 'Circle',
      participantIds: [guest.user.id],
    });
    const { id: messageId } = await owner.client.message.send.mutate({
      conversationId: group.id,
      clientId: randomUUID(),
      content: 'hi',
    });
    await guest.client.reaction.add.mutate({ messageId, emoji: '👋' });
    await owner.client.conversation.removeParticipant.mutate({
      conversationId: group.id,
      userId: guest.user.id,
    });
    expect(await codeOf(guest.client.reaction.add.mutate({ messageId, emoji: '👍' }))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(guest.client.reaction.remove.mutate({ messageId, emoji: '👋' }))).toBe(
      'FORBIDDEN',
    );
  });

  it('arrive live as message.reacted and are replayed in order after lastEventId', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const conversationId = conversation.id;
    const live = collector<Tracked>();
    const sub = practitioner.client.message.onEvent.subscribe(
      { conversationId, lastEventId: '0' },
      live,
    );
    await stack.listening(topics.messages(conversationId));
    const m = await client.client.message.send.mutate({
      conversationId,
      clientId: randomUUID(),
      content: 'one',
    });
    await client.client.reaction.add.mutate({ messageId: m.id, emoji: '🔥' });
    await client.client.message.edit.mutate({ messageId: m.id, content: 'one, edited' });
    await practitioner.client.reaction.add.mutate({ messageId: m.id, emoji: '🔥' });
    await client.client.reaction.remove.mutate({ messageId: m.id, emoji: '🔥' });
    await live.until((items) => items.length === 5);
    expect(live.items.map((e) => `${e.id}:${e.data.type}`)).toEqual([
      '1:message.created',
      '2:message.reacted',
      '3:message.edited',
      '4:message.reacted',
      '5:message.reacted',
    ]);
    expect(live.items[1]?.data.message.reactions).toEqual([
      { emoji: '🔥', count: 1, userIds: [client.user.id] },
    ]);
    expect(live.items[4]?.data.message.reactions).toEqual([
      { emoji: '🔥', count: 1, userIds: [practitioner.user.id] },
    ]);
    sub.unsubscribe();

    const replay = collector<Tracked>();
    const again = client.client.message.onEvent.subscribe(
      { conversationId, lastEventId: '1' },
      replay,
    );
    await replay.until((items) => items.length === 4);
    expect(replay.items.map((e) => `${e.id}:${e.data.type}`)).toEqual([
      '2:message.reacted',
      '3:message.edited',
      '4:message.reacted',
      '5:message.reacted',
    ]);
    again.unsubscribe();
  });
});
