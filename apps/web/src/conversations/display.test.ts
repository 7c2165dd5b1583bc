import { describe, expect, it } from 'vitest';
import { splitBookings } from '../bookings/upcoming-and-past';
import { ADA, CHLOE, conversation, summary } from '../test/fixtures';
import { conversationName, counterpart, mergeSummaries } from './display';

const day = (d: number) => new Date(Date.UTC(2030, 0, d));

describe('naming', () => {
  it('names a 1:1 by the other party and a group by its title', () => {
    expect(conversationName(conversation(), ADA)).toBe('Chloe Martin');
    expect(conversationName(conversation(), CHLOE)).toBe('Ada Okafor');
    expect(counterpart(conversation(), CHLOE)?.role).toBe('practitioner');
    const group = conversation({ kind: 'group', title: 'Circle' });
    expect(conversationName(group, ADA)).toBe('Circle');
    expect(counterpart(group, ADA)).toBeNull();
  });
});

describe('mergeSummaries', () => {
  const a = summary({ lastActivityAt: day(1) });
  const b = summary({ lastActivityAt: day(2) });

  it('sorts by latest activity and lets newer updates win', () => {
    const bumped = { ...a, lastActivityAt: day(3), unreadCount: 2 };
    const merged = mergeSummaries([b, a], 1_000, new Map([[a.id, { summary: bumped, at: 2_000 }]]));
    expect(merged.map((s) => [s.id, s.unreadCount])).toEqual([
      [a.id, 2],
      [b.id, 0],
    ]);
  });

  it('prefers a list fetched after the update', () => {
    const old = { ...a, unreadCount: 5 };
    const merged = mergeSummaries([a], 3_000, new Map([[a.id, { summary: old, at: 2_000 }]]));
    expect(merged[0]?.unreadCount).toBe(0);
  });

  it('adds new conversations and drops removed ones', () => {
    const fresh = summary({ lastActivityAt: day(5) });
    const updates = new Map([
      [fresh.id, { summary: fresh, at: 2_000 }],
      [b.id, { summary: { ...b, removed: true as const }, at: 2_000 }],
    ]);
    expect(mergeSummaries([a, b], 1_000, updates).map((s) => s.id)).toEqual([fresh.id, a.id]);
  });
});

describe('splitBookings', () => {
  it('puts sessions not yet over first, soonest first, and past ones latest first', () => {
    const booking = (id: string, start: number) => ({
      id,
      practitionerId: ADA,
      clientId: CHLOE,
      startsAt: day(start),
      endsAt: new Date(day(start).getTime() + 3_600_000),
      status: 'confirmed' as const,
      conversationId: null,
      practitionerName: 'Ada Okafor',
      clientName: 'Chloe Martin',
    });
    const now = day(10).getTime() + 1_800_000; // half-way through the session on day 10
    const { upcoming, past } = splitBookings(
      [
        booking('p1', 2),
        booking('u2', 12),
        booking('now', 10),
        booking('p2', 8),
        booking('u1', 11),
      ],
      now,
    );
    expect(upcoming.map((b) => b.id)).toEqual(['now', 'u1', 'u2']);
    expect(past.map((b) => b.id)).toEqual(['p2', 'p1']);
  });
});
