import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationSummary } from '../src';
import { topics } from '../src/events';
import {
  book,
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

describe('bookings', () => {
  it('creates, lists and cancels bookings for the two parties only', async () => {
    const practitioner = await stack.signUp('practitioner', 'Pat');
    const client = await stack.signUp('client', 'Cal');
    const outsider = await stack.signUp('client');
    const input = {
      practitionerId: practitioner.user.id,
      clientId: client.user.id,
      startsAt: new Date(Date.now() + 3_600_000),
      endsAt: new Date(Date.now() + 7_200_000),
    };
    expect(await codeOf(outsider.client.booking.create.mutate(input))).toBe('FORBIDDEN');
    expect(
      await codeOf(client.client.booking.create.mutate({ ...input, endsAt: input.startsAt })),
    ).toBe('BAD_REQUEST');
    expect(
      await codeOf(
        client.client.booking.create.mutate({
          ...input,
          practitionerId: client.user.id,
          clientId: practitioner.user.id,
        }),
      ),
    ).toBe('BAD_REQUEST');
    const booking = await client.client.booking.create.mutate(input);
    expect(booking).toMatchObject({
      status: 'confirmed',
      conversationId: null,
      practitionerName: 'Pat',
      clientName: 'Cal',
    });
    expect((await practitioner.client.booking.list.query()).map((b) => b.id)).toContain(booking.id);
    expect(await outsider.client.booking.list.query()).toEqual([]);
    expect(await codeOf(outsider.client.booking.cancel.mutate({ bookingId: booking.id }))).toBe(
      'FORBIDDEN',
    );
    expect(
      (await practitioner.client.booking.cancel.mutate({ bookingId: booking.id })).status,
    ).toBe('cancelled');
    expect((await client.client.booking.cancel.mutate({ bookingId: booking.id })).status).toBe(
      'cancelled',
    );
  });
});

describe('conversation.forBooking and conversation.direct', () => {
  it('gets or creates the one booking conversation, for its two parties only', async () => {
    const { practitioner, client, booking, conversation } = await bookedPair(stack);
    const outsider = await stack.signUp('practitioner');
    expect(conversation).toMatchObject({ kind: 'booking', bookingId: booking.id });
    expect(conversation.booking?.startsAt).toEqual(booking.startsAt);
    expect(conversation.participants.map((p) => p.userId).sort()).toEqual(
      [practitioner.user.id, client.user.id].sort(),
    );
    const again = await Promise.all([
      practitioner.client.conversation.forBooking.mutate({ bookingId: booking.id }),
      client.client.conversation.forBooking.mutate({ bookingId: booking.id }),
    ]);
    expect(again.map((c) => c.id)).toEqual([conversation.id, conversation.id]);
    expect(
      await codeOf(outsider.client.conversation.forBooking.mutate({ bookingId: booking.id })),
    ).toBe('FORBIDDEN');
    expect(
      await codeOf(outsider.client.conversation.forBooking.mutate({ bookingId: randomUUID() })),
    ).toBe('NOT_FOUND');
    expect((await practitioner.client.booking.list.query())[0]?.conversationId).toBe(
      conversation.id,
    );
  });

  it('gets or creates one direct conversation per pair, even when both ask at once', async () => {
    const a = await stack.signUp('client');
    const b = await stack.signUp('practitioner');
    await book(a, b);
    const [x, y] = await Promise.all([
      a.client.conversation.direct.mutate({ userId: b.user.id }),
      b.client.conversation.direct.mutate({ userId: a.user.id }),
    ]);
    expect(x.id).toBe(y.id);
    expect(x.kind).toBe('direct');
    expect(await codeOf(a.client.conversation.direct.mutate({ userId: a.user.id }))).toBe(
      'BAD_REQUEST',
    );
    expect(await codeOf(a.client.conversation.direct.mutate({ userId: randomUUID() }))).toBe(
      'NOT_FOUND',
    );
  });
});

describe('groups', () => {
  it('always include the creator; the creator adds and removes, members may leave', async () => {
    const owner = await stack.signUp('practitioner');
    // m2 is a practitioner (public); m1 and m3 are the owner's clients (contacts by booking).
    const [m1, m2, m3] = [
      await stack.signUp(),
      await stack.signUp('practitioner'),
      await stack.signUp(),
    ];
    await book(owner, m1);
    await book(owner, m3);
    const group = await owner.client.conversation.createGroup.mutate({
      title: ' Weekly circle ',
      participantIds: [m1.user.id],
    });
    expect(group).toMatchObject({
      kind: 'group',
      title: 'Weekly circle',
      createdBy: owner.user.id,
    });
    expect(group.participants).toHaveLength(2);
    expect(await codeOf(m2.client.conversation.get.query({ conversationId: group.id }))).toBe(
      'FORBIDDEN',
    );
    expect(
      await codeOf(
        m2.client.conversation.addParticipant.mutate({
          conversationId: group.id,
          userId: m2.user.id,
        }),
      ),
    ).toBe('FORBIDDEN');
    const grown = await m1.client.conversation.addParticipant.mutate({
      conversationId: group.id,
      userId: m2.user.id,
    });
    expect(grown.participants).toHaveLength(3);
    expect(
      await codeOf(
        m1.client.conversation.removeParticipant.mutate({
          conversationId: group.id,
          userId: m2.user.id,
        }),
      ),
    ).toBe('FORBIDDEN');
    await m2.client.conversation.removeParticipant.mutate({
      conversationId: group.id,
      userId: m2.user.id,
    });
    await owner.client.conversation.addParticipant.mutate({
      conversationId: group.id,
      userId: m3.user.id,
    });
    const shrunk = await owner.client.conversation.removeParticipant.mutate({
      conversationId: group.id,
      userId: m1.user.id,
    });
    expect(shrunk.participants.map((p) => p.userId).sort()).toEqual(
      [owner.user.id, m3.user.id].sort(),
    );
    // Booking and direct chats have fixed members.
    const pair = await bookedPair(stack);
    const add = pair.practitioner.client.conversation.addParticipant.mutate({
      conversationId: pair.conversation.id,
      userId: m1.user.id,
    });
    expect(await codeOf(add)).toBe('BAD_REQUEST');
  });
});

describe('conversation.list', () => {
  it('orders by recent activity, pages, and carries lastMessage and unreadCount from the watermark', async () => {
    const me = await stack.signUp('practitioner');
    const others = [await stack.signUp(), await stack.signUp(), await stack.signUp()];
    const convs: { id: string }[] = [];
    for (const other of others)
      convs.push(await other.client.conversation.direct.mutate({ userId: me.user.id }));
    await send(others[0] as Member, convs[0]?.id ?? '', 'one');
    await send(others[2] as Member, convs[2]?.id ?? '', 'three a');
    await send(others[2] as Member, convs[2]?.id ?? '', 'three b');
    await send(me, convs[2]?.id ?? '', 'mine');
    await send(others[1] as Member, convs[1]?.id ?? '', 'two');

    const all = await me.client.conversation.list.query({ limit: 10 });
    expect(all.items.map((c) => c.id)).toEqual([convs[1]?.id, convs[2]?.id, convs[0]?.id]);
    expect(all.items.map((c) => c.lastMessage?.content)).toEqual(['two', 'mine', 'one']);
    expect(all.items.map((c) => c.unreadCount)).toEqual([1, 2, 1]);
    expect(all.nextCursor).toBeNull();

    const first = await me.client.conversation.list.query({ limit: 2 });
    const second = await me.client.conversation.list.query({ limit: 2, cursor: first.nextCursor });
    expect([...first.items, ...second.items].map((c) => c.id)).toEqual(all.items.map((c) => c.id));
    expect(second.nextCursor).toBeNull();
    expect(await codeOf(me.client.conversation.list.query({ cursor: 'garbage' }))).toBe(
      'BAD_REQUEST',
    );

    await me.client.receipt.markRead.mutate({ conversationId: convs[2]?.id ?? '', seq: 2 });
    const after = await me.client.conversation.list.query({ limit: 10 });
    expect(after.items.find((c) => c.id === convs[2]?.id)?.unreadCount).toBe(0);
  });

  it('conversation.onUpdate pushes a fresh summary when one of mine changes', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const updates = collector<ConversationSummary>();
    const sub = practitioner.client.conversation.onUpdate.subscribe(undefined, updates);
    // Followed once its conversations' membership topic has a listener.
    await stack.listening(topics.members(conversation.id));
    await send(client, conversation.id, 'ping');
    await updates.until((items) => items.some((u) => u.lastMessage?.content === 'ping'));
    expect(updates.items.at(-1)).toMatchObject({ id: conversation.id, unreadCount: 1 });
    await practitioner.client.receipt.markRead.mutate({ conversationId: conversation.id, seq: 1 });
    await updates.until((items) => items.at(-1)?.unreadCount === 0);
    // A conversation created later is followed too.
    const fresh = await client.client.conversation.direct.mutate({ userId: practitioner.user.id });
    await send(client, fresh.id, 'direct hello');
    await updates.until((items) =>
      items.some((u) => u.id === fresh.id && u.lastMessage?.content === 'direct hello'),
    );
    sub.unsubscribe();
  });
});

describe('receipts', () => {
  it('move the watermark forward only, never past the last seq, and announce it', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    for (let i = 0; i < 5; i++) await send(client, conversation.id, `m${i}`);
    const reads = collector<{ userId: string; lastReadSeq: number }>();
    const sub = client.client.receipt.onRead.subscribe({ conversationId: conversation.id }, reads);
    await stack.listening(topics.receipts(conversation.id));
    const mark = (seq: number) =>
      practitioner.client.receipt.markRead.mutate({ conversationId: conversation.id, seq });
    expect((await mark(3)).lastReadSeq).toBe(3);
    expect((await mark(2)).lastReadSeq).toBe(3);
    expect((await mark(99)).lastReadSeq).toBe(5);
    expect((await mark(4)).lastReadSeq).toBe(5);
    await reads.until((items) => items.length === 2);
    await sleep(150);
    expect(reads.items.map((r) => [r.userId, r.lastReadSeq])).toEqual([
      [practitioner.user.id, 3],
      [practitioner.user.id, 5],
    ]);
    const list = await client.client.receipt.list.query({ conversationId: conversation.id });
    expect(list.find((r) => r.userId === practitioner.user.id)?.lastReadSeq).toBe(5);
    expect(list.find((r) => r.userId === client.user.id)?.lastReadSeq).toBe(0);
    expect(
      await codeOf(
        practitioner.client.receipt.markRead.mutate({ conversationId: conversation.id, seq: -1 }),
      ),
    ).toBe('BAD_REQUEST');
    sub.unsubscribe();
  });
});

describe('typing', () => {
  it('reaches the others (never the typist), and lapses by itself after 5 s', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const mine = collector<{ userId: string; isTyping: boolean }>();
    const theirs = collector<{ userId: string; name: string; isTyping: boolean }>();
    const s1 = client.client.typing.onChange.subscribe({ conversationId: conversation.id }, mine);
    const s2 = practitioner.client.typing.onChange.subscribe(
      { conversationId: conversation.id },
      theirs,
    );
    await stack.listening(topics.typing(conversation.id), 2);
    await client.client.typing.set.mutate({ conversationId: conversation.id, isTyping: true });
    await theirs.until((items) => items.length === 1);
    expect(theirs.items[0]).toMatchObject({
      userId: client.user.id,
      name: client.user.name,
      isTyping: true,
    });
    // A refresh of the same state is not repeated.
    await client.client.typing.set.mutate({ conversationId: conversation.id, isTyping: true });
    await client.client.typing.set.mutate({ conversationId: conversation.id, isTyping: false });
    await theirs.until((items) => items.length === 2);
    expect(theirs.items[1]?.isTyping).toBe(false);

    const started = Date.now();
    await client.client.typing.set.mutate({ conversationId: conversation.id, isTyping: true });
    await theirs.until((items) => items.length === 4, 8_000);
    expect(theirs.items[3]?.isTyping).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
    expect(mine.items).toEqual([]);
    s1.unsubscribe();
    s2.unsubscribe();
  });
});

describe('presence', () => {
  it('is online while a socket is open, offline with lastSeenAt after the last one closes', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const changes = collector<{ userId: string; status: string; lastSeenAt: Date | null }>();
    const sub = practitioner.client.presence.onChange.subscribe(
      { conversationId: conversation.id },
      changes,
    );
    await stack.listening(topics.presence);
    const statusOf = async (userId: string) =>
      (await practitioner.client.presence.list.query({ conversationId: conversation.id })).find(
        (p) => p.userId === userId,
      );
    expect((await statusOf(client.user.id))?.status).toBe('offline');
    // Two sockets of the same user: online with the first, offline only after both close.
    const tab1 = stack.client(client.token);
    const tab2 = stack.client(client.token);
    const t1 = tab1.typing.onChange.subscribe({ conversationId: conversation.id }, {});
    const t2 = tab2.typing.onChange.subscribe({ conversationId: conversation.id }, {});
    await changes.until((items) =>
      items.some((c) => c.userId === client.user.id && c.status === 'online'),
    );
    expect((await statusOf(client.user.id))?.status).toBe('online');
    t1.unsubscribe();
    await tab1.close();
    await sleep(300);
    expect((await statusOf(client.user.id))?.status).toBe('online');
    t2.unsubscribe();
    await tab2.close();
    await changes.until((items) =>
      items.some((c) => c.userId === client.user.id && c.status === 'offline'),
    );
    const last = await statusOf(client.user.id);
    expect(last?.status).toBe('offline');
    expect(last?.lastSeenAt).toBeInstanceOf(Date);
    expect(changes.items.filter((c) => c.userId === client.user.id).map((c) => c.status)).toEqual([
      'online',
      'offline',
    ]);
    sub.unsubscribe();
  });

  it('does not flap when a socket is replaced at once (a token refresh, a reload)', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const changes = collector<{ userId: string; status: string }>();
    const sub = practitioner.client.presence.onChange.subscribe(
      { conversationId: conversation.id },
      changes,
    );
    await stack.listening(topics.presence);
    const first = stack.client(client.token);
    const s1 = first.typing.onChange.subscribe({ conversationId: conversation.id }, {});
    await changes.until((items) =>
      items.some((c) => c.userId === client.user.id && c.status === 'online'),
    );
    s1.unsubscribe();
    await first.close();
    const second = stack.client(client.token);
    const s2 = second.typing.onChange.subscribe({ conversationId: conversation.id }, {});
    await stack.listening(topics.typing(conversation.id));
    await sleep(1_000);
    expect(changes.items.filter((c) => c.userId === client.user.id).map((c) => c.status)).toEqual([
      'online',
    ]);
    s2.unsubscribe();
    await second.close();
    sub.unsubscribe();
  });
});
