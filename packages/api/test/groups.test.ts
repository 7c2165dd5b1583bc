import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationSummary, MessageEvent } from '../src';
import { topics } from '../src/events';
import {
  book,
  bookedPair,
  codeOf,
  collector,
  eventually,
  type Stack,
  sleep,
  startStack,
} from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

/** A practitioner's group with two of their clients. */
async function circle() {
  const owner = await stack.signUp('practitioner', 'Ada');
  const [ben, cleo] = [await stack.signUp('client', 'Ben'), await stack.signUp('client', 'Cleo')];
  await book(owner, ben);
  await book(owner, cleo);
  const group = await owner.client.conversation.createGroup.mutate({
    title: 'Circle',
    participantIds: [ben.user.id, cleo.user.id],
  });
  return { owner, ben, cleo, group };
}

describe('conversation.rename', () => {
  it('lets any participant rename a group, and tells the others', async () => {
    const { owner, ben, group } = await circle();
    const updates = collector<ConversationSummary>();
    const sub = owner.client.conversation.onUpdate.subscribe(undefined, updates);
    await stack.listening(topics.members(group.id));
    const renamed = await ben.client.conversation.rename.mutate({
      conversationId: group.id,
      title: '  Tuesday circle ',
    });
    expect(renamed.title).toBe('Tuesday circle');
    await updates.until((items) => items.some((u) => u.title === 'Tuesday circle'));
    sub.unsubscribe();
    expect((await owner.client.conversation.get.query({ conversationId: group.id })).title).toBe(
      'Tuesday circle',
    );
  });

  it('refuses non-groups, blank titles and outsiders, and changes nothing', async () => {
    const { owner, group } = await circle();
    const outsider = await stack.signUp('practitioner');
    const pair = await bookedPair(stack);
    expect(
      await codeOf(
        pair.client.client.conversation.rename.mutate({
          conversationId: pair.conversation.id,
          title: 'Nope',
        }),
      ),
    ).toBe('BAD_REQUEST');
    expect(
      await codeOf(
        owner.client.conversation.rename.mutate({ conversationId: group.id, title: ' ' }),
      ),
    ).toBe('BAD_REQUEST');
    expect(
      await codeOf(
        outsider.client.conversation.rename.mutate({ conversationId: group.id, title: 'Mine' }),
      ),
    ).toBe('FORBIDDEN');
    expect((await owner.client.conversation.get.query({ conversationId: group.id })).title).toBe(
      'Circle',
    );
  });
});

describe('conversation.leave and who may remove whom', () => {
  it('lets anyone leave a group; their live stream ends and they hear nothing more', async () => {
    const { owner, ben, group } = await circle();
    const events = collector<{ id: string; data: MessageEvent }>();
    const sub = ben.client.message.onEvent.subscribe(
      { conversationId: group.id, lastEventId: '0' },
      events,
    );
    await stack.listening(topics.messages(group.id));
    await owner.client.message.send.mutate({
      conversationId: group.id,
      clientId: randomUUID(),
      content: 'before',
    });
    await events.until((items) => items.length === 1);
    expect(
      await ben.client.conversation.leave.mutate({ conversationId: group.id }),
    ).toBeUndefined();
    await eventually(() => {
      if (events.errors.length === 0) throw new Error('the stream is still open');
    });
    await owner.client.message.send.mutate({
      conversationId: group.id,
      clientId: randomUUID(),
      content: 'after',
    });
    await sleep(300);
    expect(events.items.map((e) => e.data.message.content)).toEqual(['before']);
    sub.unsubscribe();
    expect(await codeOf(ben.client.message.list.query({ conversationId: group.id }))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(ben.client.conversation.leave.mutate({ conversationId: group.id }))).toBe(
      'FORBIDDEN',
    );
    const pair = await bookedPair(stack);
    expect(
      await codeOf(
        pair.client.client.conversation.leave.mutate({ conversationId: pair.conversation.id }),
      ),
    ).toBe('BAD_REQUEST');
  });

  it('lets the creator and practitioners remove others, and no other client', async () => {
    const { owner, ben, cleo, group } = await circle();
    const colleague = await stack.signUp('practitioner', 'Colleague');
    await owner.client.conversation.addParticipant.mutate({
      conversationId: group.id,
      userId: colleague.user.id,
    });
    expect(
      await codeOf(
        ben.client.conversation.removeParticipant.mutate({
          conversationId: group.id,
          userId: cleo.user.id,
        }),
      ),
    ).toBe('FORBIDDEN');
    // A practitioner who did not create the group may remove a client.
    const shrunk = await colleague.client.conversation.removeParticipant.mutate({
      conversationId: group.id,
      userId: cleo.user.id,
    });
    expect(shrunk.participants.map((p) => p.name).sort()).toEqual(['Ada', 'Ben', 'Colleague']);
    const again = await owner.client.conversation.removeParticipant.mutate({
      conversationId: group.id,
      userId: colleague.user.id,
    });
    expect(again.participants.map((p) => p.name).sort()).toEqual(['Ada', 'Ben']);
  });
});

describe('membership changes in the timeline', () => {
  it('posts "Ada added Dev", renames, removals and leaving as system messages', async () => {
    const { owner, ben, cleo, group } = await circle();
    const dev = await stack.signUp('practitioner', 'Dev');
    await owner.client.conversation.addParticipant.mutate({
      conversationId: group.id,
      userId: dev.user.id,
    });
    await ben.client.conversation.rename.mutate({ conversationId: group.id, title: 'Breath' });
    await owner.client.conversation.removeParticipant.mutate({
      conversationId: group.id,
      userId: cleo.user.id,
    });
    await dev.client.conversation.leave.mutate({ conversationId: group.id });

    const { items } = await ben.client.message.list.query({ conversationId: group.id });
    const notices = items.filter((m) => m.kind === 'system');
    expect(notices.map((m) => m.content)).toEqual([
      'Ada added Dev',
      'Ben renamed the group “Breath”',
      'Ada removed Cleo',
      'Dev left',
    ]);
    expect(notices.every((m) => m.senderId === null && m.senderName === null)).toBe(true);
    // Cleo, removed, can no longer read any of it.
    expect(await codeOf(cleo.client.message.list.query({ conversationId: group.id }))).toBe(
      'FORBIDDEN',
    );
  });
});
