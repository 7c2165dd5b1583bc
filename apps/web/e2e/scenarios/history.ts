import { randomUUID } from 'node:crypto';
import type { Booking, Conversation } from '@estuary/api';
import { expect, it } from 'vitest';
import { apiAs } from '../harness/api';
import { screenshot } from '../harness/browser';
import { inView, log, row } from '../harness/chat-page';
import type { World } from './world';

/** History longer than a page: loading upwards, a still view, and the New messages button. */
export function history(world: World) {
  it('loads older history at the top, keeps the view still, and offers New messages', async () => {
    const { stack, ada } = world;
    const dev = await apiAs(stack.baseUrl, 'dev@example.com');
    const bookings = await dev.query<Booking[]>('booking.list');
    const booking = bookings.find((b) => b.practitionerName === 'Ada Okafor');
    if (!booking) throw new Error('the seed has no Ada/Dev booking');
    const { id } = await dev.mutate<Conversation>('conversation.forBooking', {
      bookingId: booking.id,
    });
    for (let i = 1; i <= 45; i++) {
      const content = `History ${i}`;
      await dev.mutate('message.send', { conversationId: id, clientId: randomUUID(), content });
    }

    await ada.getByRole('link', { name: 'Dev Patel', exact: true }).click();
    await ada.waitForURL(`**/conversations/${id}`);
    const history = (n: number) =>
      log(ada).locator('.content', { hasText: new RegExp(`^History ${n}$`) });
    await history(45).waitFor();
    // One page of 30: 16..45.
    expect(await history(15).count()).toBe(0);

    await log(ada).evaluate((el) => {
      el.scrollTop = 0;
    });
    await history(1).waitFor();
    // The rows that were on screen stay where they were; the new ones are above them.
    expect(await inView(ada, history(16))).toBe(true);
    expect(await inView(ada, history(1))).toBe(false);
    await screenshot(ada, '7-history');

    await dev.mutate('message.send', {
      conversationId: id,
      clientId: randomUUID(),
      content: 'Are you there?',
    });
    const jump = ada.getByRole('button', { name: /New messages/ });
    await jump.click();
    await expect
      .poll(() => inView(ada, row(ada, 'Are you there?')), { timeout: 10_000 })
      .toBe(true);
    await jump.waitFor({ state: 'hidden' });
    await ada.getByRole('link', { name: 'Chloe Martin', exact: true }).click();
    await ada.waitForURL(`**/conversations/${stack.seededConversationId}`);
  });
}
