import { randomUUID } from 'node:crypto';
import type { Booking } from '@estuary/api';
import { expect, it } from 'vitest';
import { apiWithToken } from '../harness/api';
import { screenshot } from '../harness/browser';
import { log } from '../harness/chat-page';
import type { World } from './world';

// The seed's Ada/Chloe booking, whose conversation both pages have open.
const CHAT_BOOKING = '5eed0000-0000-4000-8000-000000000001';

/** What the platform's services do: a system message, and a rescheduled booking. */
export function platform(world: World) {
  it('shows a system message as a centred notice, with no sender and no actions', async () => {
    const { stack, ada, chloe } = world;
    const service = apiWithToken(
      stack.baseUrl,
      await stack.serviceToken('e2e-platform', ['bookings', 'system-messages']),
    );
    await service.mutate('message.sendSystem', {
      conversationId: stack.seededConversationId,
      clientId: randomUUID(),
      content: 'Your session is booked',
    });
    for (const page of [ada, chloe]) {
      const notice = log(page).locator('li.system-notice', { hasText: 'Your session is booked' });
      await notice.waitFor();
      expect(await notice.locator('.sender').count()).toBe(0);
      expect(await notice.getByRole('button').count()).toBe(0);
    }
    await screenshot(chloe, '8-system-message');
  });

  it('follows a rescheduled booking: a notice in the conversation, and the header moves', async () => {
    const { stack, ada, chloe } = world;
    const service = apiWithToken(
      stack.baseUrl,
      await stack.serviceToken('e2e-platform', ['bookings']),
    );
    const header = (page: typeof ada) => page.locator('.chat-header .session');
    const before = await header(chloe).textContent();
    const startsAt = new Date(Date.UTC(2031, 4, 6, 9, 30));
    const moved = await service.mutate<Booking>('booking.reschedule', {
      bookingId: CHAT_BOOKING,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 50 * 60_000),
    });
    expect(moved.startsAt).toEqual(startsAt);
    for (const page of [ada, chloe]) {
      await log(page)
        .locator('li.system-notice', { hasText: 'Session rescheduled to Tue, 6 May 2031' })
        .waitFor();
      await expect.poll(() => header(page).textContent(), { timeout: 10_000 }).not.toBe(before);
      // The session line has no year: "Tue, May 6, …" or "Tue 6 May, …" by the browser's locale.
      expect(await header(page).textContent()).toMatch(/Tue.*(\b6 May|May 6\b)/);
    }
    await screenshot(ada, '8-rescheduled');
  });
}
