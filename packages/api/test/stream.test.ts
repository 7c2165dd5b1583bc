import { randomUUID } from 'node:crypto';
import type { TRPCClientError } from '@trpc/client';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter, MessageEvent } from '../src';
import { STALE_EVENT_ID } from '../src/client-constants';
import { topics } from '../src/events';
import {
  book,
  bookedPair,
  collector,
  eventually,
  type Member,
  type Stack,
  sleep,
  startStack,
} from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ limits: { sendRatePerSecond: 10_000, sendBurst: 10_000 } });
});
afterAll(() => stack.close());

type Tracked = { id: string; data: MessageEvent };

const send = (m: Member, conversationId: string, content: string) =>
  m.client.message.send.mutate({ conversationId, clientId: randomUUID(), content });

/** The event log as the database has it: what every subscriber must end up with. */
async function logOf(conversationId: string) {
  const rows = await stack.db.execute<{ seq: number; type: string; message_id: string }>(
    sql`select seq, type, message_id from message_events where conversation_id = ${conversationId} order by seq`,
  );
  return rows.map((r) => `${r.seq}:${r.type}:${r.message_id}`);
}
const seen = (items: Tracked[]) => items.map((e) => `${e.id}:${e.data.type}:${e.data.message.id}`);

/** Sends `n` messages, editing every 7th and deleting every 11th as it goes. */
async function churn(member: Member, conversationId: string, n: number, tag: string) {
  for (let i = 1; i <= n; i++) {
    const m = await send(member, conversationId, `${tag}-${i}`);
    if (i % 7 === 0)
      await member.client.message.edit.mutate({ messageId: m.id, content: `${tag}-${i} (edited)` });
    if (i % 11 === 0) await member.client.message.delete.mutate({ messageId: m.id });
  }
}

describe('message.onEvent', () => {
  it('streams created, edited and deleted events live, as tracked ids', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const events = collector<Tracked>();
    const sub = practitioner.client.message.onEvent.subscribe(
      { conversationId: conversation.id, lastEventId: '0' },
      events,
    );
    // Step by step, so each event is seen before the next change (a replay carries the
    // message as it is now, and a deleted message's content is never replayed).
    const m = await send(client, conversation.id, 'hello');
    await events.until((items) => items.length === 1);
    await client.client.message.edit.mutate({ messageId: m.id, content: 'hello!' });
    await events.until((items) => items.length === 2);
    await client.client.message.delete.mutate({ messageId: m.id });
    await events.until((items) => items.length === 3);
    expect(events.items.map((e) => [e.id, e.data.type])).toEqual([
      ['1', 'message.created'],
      ['2', 'message.edited'],
      ['3', 'message.deleted'],
    ]);
    expect(events.items[0]?.data.message).toMatchObject({
      seq: 1,
      senderId: client.user.id,
      content: 'hello',
    });
    expect(events.items[0]?.data.message.createdAt).toBeInstanceOf(Date);
    expect(events.items[2]?.data.message.content).toBe('');
    sub.unsubscribe();
  });

  it('resumes after a disconnect with exactly the missed events, in order, then goes live', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const first = collector<Tracked>();
    const sub = practitioner.client.message.onEvent.subscribe(
      { conversationId: conversation.id, lastEventId: '0' },
      first,
    );
    await send(client, conversation.id, 'before');
    await first.until((items) => items.length === 1);
    sub.unsubscribe();
    const lastEventId = first.items.at(-1)?.id ?? '';

    await churn(client, conversation.id, 100, 'away');

    const resumed = collector<Tracked>();
    const again = practitioner.client.message.onEvent.subscribe(
      { conversationId: conversation.id, lastEventId },
      resumed,
    );
    const log = await logOf(conversation.id);
    await resumed.until((items) => items.length === log.length - 1);
    expect(seen(resumed.items)).toEqual(log.slice(1));
    // …and then live.
    await send(client, conversation.id, 'after');
    await resumed.until((items) => items.length === log.length);
    expect(seen(resumed.items)).toEqual((await logOf(conversation.id)).slice(1));
    again.unsubscribe();
  });

  it('misses nothing and repeats nothing when events keep arriving during the replay', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    await churn(client, conversation.id, 600, 'backlog');
    const events = collector<Tracked>();
    const sub = practitioner.client.message.onEvent.subscribe(
      { conversationId: conversation.id, lastEventId: '0' },
      events,
    );
    // The replay (several pages) and these live sends overlap.
    await churn(client, conversation.id, 60, 'during');
    const log = await logOf(conversation.id);
    await events.until((items) => items.length >= log.length, 20_000);
    await sleep(200);
    expect(seen(events.items)).toEqual(log);
    sub.unsubscribe();
  });

  it('survives dropped sockets: the client resends lastEventId and ends identical to the database', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const events = collector<Tracked>();
    const sub = practitioner.client.message.onEvent.subscribe(
      { conversationId: conversation.id, lastEventId: '0' },
      events,
    );
    const writer = churn(client, conversation.id, 150, 'flaky');
    for (let i = 0; i < 4; i++) {
      await sleep(150);
      stack.dropSockets();
    }
    await writer;
    const log = await logOf(conversation.id);
    await events.until((items) => items.length >= log.length, 20_000);
    await sleep(200);
    expect(seen(events.items)).toEqual(log);
    sub.unsubscribe();
  });

  it('refuses a lastEventId it cannot resume from, with a reason that says refetch', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    for (let i = 0; i < 5; i++) await send(client, conversation.id, `m${i}`);
    const failWith = async (lastEventId: string) => {
      const events = collector<Tracked>();
      const sub = practitioner.client.message.onEvent.subscribe(
        { conversationId: conversation.id, lastEventId },
        events,
      );
      await eventually(() => expect(events.errors).toHaveLength(1));
      sub.unsubscribe();
      return events.errors[0] as TRPCClientError<AppRouter>;
    };
    for (const bad of ['99', 'abc', '-1']) {
      const error = await failWith(bad);
      expect(error.data).toMatchObject({ code: 'BAD_REQUEST', reason: STALE_EVENT_ID });
    }
    // Pruned history is too old to resume from.
    await stack.db.execute(
      sql`delete from message_events where conversation_id = ${conversation.id} and seq <= 3`,
    );
    const tooOld = await failWith('1');
    expect(tooOld.data).toMatchObject({ code: 'BAD_REQUEST', reason: STALE_EVENT_ID });
    expect(tooOld.message).toMatch(/too old/);
    // From the edge of what is kept, resuming still works.
    const events = collector<Tracked>();
    const sub = practitioner.client.message.onEvent.subscribe(
      { conversationId: conversation.id, lastEventId: '3' },
      events,
    );
    await events.until((items) => items.length === 2);
    expect(events.items.map((e) => e.id)).toEqual(['4', '5']);
    sub.unsubscribe();
  });
});

describe('message.onEvents (batched)', () => {
  it('carries the same events as message.onEvent, several to a yield, each batch tracked by its last id', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    await churn(client, conversation.id, 250, 'backlog');
    const batches = collector<{ id: string; data: { events: MessageEvent[] } }>();
    const sub = practitioner.client.message.onEvents.subscribe(
      { conversationId: conversation.id, lastEventId: '0' },
      batches,
    );
    await churn(client, conversation.id, 30, 'live');
    const log = await logOf(conversation.id);
    const flat = () => batches.items.flatMap((b) => b.data.events);
    await batches.until(() => flat().length >= log.length, 20_000);
    await sleep(200);
    // Each batch is tracked by the id of its last event.
    let count = 0;
    for (const batch of batches.items) {
      count += batch.data.events.length;
      expect(batch.id).toBe(log[count - 1]?.split(':')[0]);
    }
    expect(flat().map((e, i) => `${log[i]?.split(':')[0]}:${e.type}:${e.message.id}`)).toEqual(log);
    expect(Math.max(...batches.items.map((b) => b.data.events.length))).toBeGreaterThan(1);
    expect(flat()[0]?.message.createdAt).toBeInstanceOf(Date);
    sub.unsubscribe();
  });
});

describe('membership and live access', () => {
  it('a removed participant loses access at once, including live subscriptions', async () => {
    const owner = await stack.signUp('practitioner');
    const guest = await stack.signUp('client');
    await book(owner, guest);
    const group = await owner.client.conversation.createGroup.mutate({
      title: 'Circle',
      participantIds: [guest.user.id],
    });
    const events = collector<Tracked>();
    const typing = collector<unknown>();
    const sub = guest.client.message.onEvent.subscribe(
      { conversationId: group.id, lastEventId: '0' },
      events,
    );
    const typingSub = guest.client.typing.onChange.subscribe({ conversationId: group.id }, typing);
    await stack.listening(topics.typing(group.id));
    await send(owner, group.id, 'welcome');
    await events.until((items) => items.length === 1);

    await owner.client.conversation.removeParticipant.mutate({
      conversationId: group.id,
      userId: guest.user.id,
    });
    await eventually(() => expect(events.errors).toHaveLength(1));
    await eventually(() => expect(typing.errors).toHaveLength(1));
    expect((events.errors[0] as TRPCClientError<AppRouter>).data?.code).toBe('FORBIDDEN');
    await send(owner, group.id, 'after removal');
    await sleep(200);
    expect(events.items).toHaveLength(1);
    await expect(
      guest.client.message.list.query({ conversationId: group.id }),
    ).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    sub.unsubscribe();
    typingSub.unsubscribe();
  });
});
