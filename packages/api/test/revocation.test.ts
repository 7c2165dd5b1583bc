import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../src/events';
import { book, eventually, type Stack, sleep, startStack } from './harness';

/**
 * A participant removed while their subscriptions are starting hears nothing sent after the
 * removal: every stream watches for removal before it checks membership.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ limits: { maxSubscriptionsPerConnection: 200 } });
});
afterAll(async () => {
  await stack?.close();
});

describe('removal racing subscribes', () => {
  it('150 concurrent subscribes around a removal receive nothing sent after it', async () => {
    const owner = await stack.signUp('practitioner');
    const victim = await stack.signUp('client');
    await book(owner, victim); // the contact rule: a booking makes them contacts
    const group = await owner.client.conversation.createGroup.mutate({
      title: 'race',
      participantIds: [victim.user.id],
    });
    await owner.client.message.send.mutate({
      conversationId: group.id,
      clientId: randomUUID(),
      content: 'before',
    });
    // Several sockets, so the subscribes really run side by side on the server.
    const sockets = Array.from({ length: 5 }, () => stack.client(victim.token));
    const seen: string[] = [];
    const streams: { unsubscribe(): void }[] = [];
    const errors: string[] = [];
    const subscribe = (i: number) => {
      const client = sockets[i % sockets.length];
      if (!client) return;
      const input = { conversationId: group.id };
      const onData = (event: unknown) => {
        seen.push(JSON.stringify(event));
      };
      const sink = {
        onError: (e: unknown) => {
          errors.push(String(e));
        },
      };
      const kind = i % 5;
      // Most resume (a resume point read widens the window); the rest are the other streams.
      streams.push(
        kind < 2
          ? client.message.onEvent.subscribe(
              { ...input, lastEventId: '0' },
              { onData, onError: sink.onError },
            )
          : kind === 2
            ? client.typing.onChange.subscribe(input, { onData, onError: sink.onError })
            : kind === 3
              ? client.receipt.onRead.subscribe(input, { onData, onError: sink.onError })
              : client.presence.onChange.subscribe(input, { onData, onError: sink.onError }),
      );
    };
    // Open the sockets first, so the subscribes below reach the server in one burst.
    for (const client of sockets) {
      streams.push(client.conversation.onUpdate.subscribe(undefined, {}));
    }
    await stack.listening(topics.user(victim.user.id), sockets.length);

    // Hold the event log so that resumes stall right after their membership check: the
    // removal then lands, deterministically, in the window between check and watch that a
    // stream must not have.
    const lock = await stack.db.$client.reserve();
    const admin = await stack.db.$client.reserve();
    await lock`begin`;
    await lock`lock table message_events in access exclusive mode`;
    try {
      for (let i = 0; i < 150; i++) subscribe(i);
      await eventually(async () => {
        const [row] = await admin<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`;
        expect(row?.n).toBeGreaterThan(0);
      });
      await sleep(200);
      // The removal, as removeParticipant makes it: the row goes, then the bus says so.
      await admin`delete from conversation_participants
                  where conversation_id = ${group.id} and user_id = ${victim.user.id}`;
      await stack.bus.publish(topics.members(group.id), {
        type: 'removed',
        userId: victim.user.id,
      });
    } finally {
      await lock`commit`;
      lock.release();
      admin.release();
    }
    // Every subscribe is refused or cut, with the contract's code (on a busy machine this
    // takes a while; the wait is bounded, not timed).
    await eventually(() => expect(errors.length).toBe(150), 45_000, 100);
    expect(errors.every((e) => /participant/.test(e))).toBe(true);
    seen.length = 0;
    await owner.client.message.send.mutate({
      conversationId: group.id,
      clientId: randomUUID(),
      content: 'after the removal',
    });
    await owner.client.typing.set.mutate({ conversationId: group.id, isTyping: true });
    await owner.client.receipt.markRead.mutate({ conversationId: group.id, seq: 2 });
    await sleep(1_500);
    for (const s of streams) s.unsubscribe();
    expect(seen).toEqual([]);
  }, 120_000);
});
