import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { book, codeOf, type Stack, startStack } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('user.contacts', () => {
  it('lists the people I share a booking or a conversation with, never a stranger', async () => {
    const me = await stack.signUp('practitioner', 'Ada Okafor');
    const booked = await stack.signUp('client', 'Chloé Martin');
    const grouped = await stack.signUp('practitioner', 'Ben Adeyemi');
    const stranger = await stack.signUp('client', 'Stranger Danger');
    await book(me, booked);
    await me.client.conversation.createGroup.mutate({
      title: 'Circle',
      participantIds: [grouped.user.id],
    });
    const contacts = await me.client.user.contacts.query();
    expect(contacts).toEqual({
      items: [
        { id: grouped.user.id, name: 'Ben Adeyemi', role: 'practitioner' },
        { id: booked.user.id, name: 'Chloé Martin', role: 'client' },
      ],
      nextCursor: null,
    });
    // Contacts go both ways; a stranger has none of mine.
    expect((await booked.client.user.contacts.query()).items.map((u) => u.id)).toEqual([
      me.user.id,
    ]);
    expect((await stranger.client.user.contacts.query()).items).toEqual([]);
  });

  it('filters by part of a name whatever its accents or case, and pages', async () => {
    const me = await stack.signUp('practitioner', 'Me');
    const names = ['Zoë Adams', 'zoe baker', 'Zoe Carter', 'Yann Zoelner', 'Xavier'];
    for (const name of names) await book(me, await stack.signUp('client', name));
    const found = await me.client.user.contacts.query({ query: 'ZOE' });
    expect(found.items.map((u) => u.name)).toEqual([
      'Yann Zoelner',
      'Zoe Carter',
      'Zoë Adams',
      'zoe baker',
    ]);
    // A literal % is not a wildcard.
    expect((await me.client.user.contacts.query({ query: '%' })).items).toEqual([]);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const result: { items: { name: string }[]; nextCursor: string | null } =
        await me.client.user.contacts.query({ limit: 2, cursor });
      seen.push(...result.items.map((u) => u.name));
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    expect(seen.sort()).toEqual([...names].sort());
    expect(await codeOf(me.client.user.contacts.query({ cursor: 'garbage' }))).toBe('BAD_REQUEST');
    expect(await codeOf(me.client.user.contacts.query({ limit: 101 }))).toBe('BAD_REQUEST');
  });
});

describe('the contact rule', () => {
  it('lets me bring in contacts and practitioners, and refuses a stranger client', async () => {
    const me = await stack.signUp('client', 'Me');
    const myPractitioner = await stack.signUp('practitioner');
    const anyPractitioner = await stack.signUp('practitioner');
    const stranger = await stack.signUp('client');
    await book(me, myPractitioner);

    expect(await codeOf(me.client.conversation.direct.mutate({ userId: stranger.user.id }))).toBe(
      'FORBIDDEN',
    );
    expect(
      await codeOf(
        me.client.conversation.createGroup.mutate({
          title: 'Pulled in',
          participantIds: [myPractitioner.user.id, stranger.user.id],
        }),
      ),
    ).toBe('FORBIDDEN');
    expect(await codeOf(me.client.conversation.direct.mutate({ userId: randomUUID() }))).toBe(
      'NOT_FOUND',
    );
    // Nothing was created by the refusals.
    expect((await stranger.client.conversation.list.query()).items).toEqual([]);
    expect((await me.client.conversation.list.query()).items).toEqual([]);

    const direct = await me.client.conversation.direct.mutate({ userId: anyPractitioner.user.id });
    expect(direct.kind).toBe('direct');
    const group = await me.client.conversation.createGroup.mutate({
      title: 'Fine',
      participantIds: [myPractitioner.user.id],
    });
    expect(
      await codeOf(
        me.client.conversation.addParticipant.mutate({
          conversationId: group.id,
          userId: stranger.user.id,
        }),
      ),
    ).toBe('FORBIDDEN');
    expect((await stranger.client.conversation.list.query()).items).toEqual([]);
    // Once the stranger is a contact of a member, that member may add them.
    await book(myPractitioner, stranger);
    const grown = await myPractitioner.client.conversation.addParticipant.mutate({
      conversationId: group.id,
      userId: stranger.user.id,
    });
    expect(grown.participants.map((p) => p.userId)).toContain(stranger.user.id);
  });
});
