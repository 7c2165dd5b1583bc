import { randomUUID } from 'node:crypto';
import type { Bus } from '@estuary/realtime';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { book, collector, type Stack, sleep, startStack } from './harness';

/**
 * A bus that loses, repeats and reorders messages: the per-process feed must still hand
 * every subscriber the exact event log, because Postgres has it.
 */
function unreliable(bus: Bus, seed = 42): Bus & { stats: Record<string, number> } {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const stats = { dropped: 0, doubled: 0, delayed: 0 };
  return {
    ...bus,
    stats,
    async publish(topic, payload) {
      if (!topic.endsWith(':m')) return bus.publish(topic, payload);
      const roll = random();
      if (roll < 0.15) {
        stats.dropped++;
        return;
      }
      if (roll < 0.25) {
        stats.doubled++;
        await bus.publish(topic, payload);
      }
      if (roll < 0.45) {
        stats.delayed++;
        setTimeout(() => void bus.publish(topic, payload), Math.floor(random() * 60));
        return;
      }
      await bus.publish(topic, payload);
    },
  };
}

let stack: Stack;
let chaos: ReturnType<typeof unreliable>;
beforeAll(async () => {
  stack = await startStack({
    limits: { sendRatePerSecond: 10_000, sendBurst: 10_000 },
    bus: (bus) => {
      chaos = unreliable(bus);
      return chaos;
    },
  });
});
afterAll(() => stack.close());

describe('the per-process feed', () => {
  it('turns a lossy, repeating, reordering bus into the exact event log for every subscriber', {
    timeout: 90_000,
  }, async () => {
    const a = await stack.signUp('practitioner');
    const b = await stack.signUp();
    const c = await stack.signUp();
    await book(a, b);
    await book(a, c);
    const group = await a.client.conversation.createGroup.mutate({
      title: 'chaos',
      participantIds: [b.user.id, c.user.id],
    });
    const seen = [a, b, c].map((member) => {
      const events = collector<{ id: string }>();
      member.client.message.onEvent.subscribe(
        { conversationId: group.id, lastEventId: '0' },
        events,
      );
      return events;
    });
    // Three senders at once, as three processes would be.
    await Promise.all(
      [a, b, c].map(async (member) => {
        for (let i = 0; i < 60; i++) {
          const m = await member.client.message.send.mutate({
            conversationId: group.id,
            clientId: randomUUID(),
            content: `${i}`,
          });
          if (i % 9 === 0)
            await member.client.message.edit.mutate({ messageId: m.id, content: `${i}!` });
        }
      }),
    );
    // If the last events were lost, nothing follows them: the feed's audit finds them.
    const rows = await stack.db.execute<{ seq: number }>(
      sql`select seq from message_events where conversation_id = ${group.id} order by seq`,
    );
    const log = rows.map((r) => String(r.seq));
    for (const events of seen) {
      // On a timeout, the comparison below shows what is missing.
      await events.until((items) => items.length >= log.length, 15_000).catch(() => {});
      await sleep(100);
      expect(events.items.map((e) => e.id)).toEqual(log);
    }
    expect(chaos.stats.dropped).toBeGreaterThan(5);
    expect(chaos.stats.doubled).toBeGreaterThan(5);
    expect(chaos.stats.delayed).toBeGreaterThan(5);
  });
});
