import { randomUUID } from 'node:crypto';
import type { Booking, Conversation } from '@estuary/api';
import { expect, it } from 'vitest';
import { apiAs } from '../harness/api';
import { connected, screenshot } from '../harness/browser';
import { inView, log, row, send, shownTexts } from '../harness/chat-page';
import type { World } from './world';

/** A ws server that dies mid-conversation, and history longer than a page. */
export function resilience(world: World) {
  it('queues messages while ws is down, across a reload, and delivers them once, in order', async () => {
    const { stack, ada, chloe } = world;
    const first = 'Writing this while the connection is down.';
    const second = 'And this one too, it should arrive second.';
    await stack.killWs();
    const status = chloe.getByRole('status', { name: 'Connection' });
    await status.getByText(/Reconnecting/).waitFor({ timeout: 30_000 });

    await send(chloe, first);
    await send(chloe, second);
    await row(chloe, first)
      .getByText(/Queued/)
      .waitFor();
    await row(chloe, second)
      .getByText(/Queued/)
      .waitFor();
    await screenshot(chloe, '5-queued');
    // A reload while offline keeps the queue (localStorage), in order.
    await chloe.reload();
    await row(chloe, first)
      .getByText(/Queued/)
      .waitFor({ timeout: 60_000 });
    await row(chloe, second)
      .getByText(/Queued/)
      .waitFor();
    const stored = () =>
      stack.db.$client<{ content: string; seq: number }[]>`
        select content, seq from messages where content in (${first}, ${second}) order by seq`;
    expect(await stored()).toHaveLength(0);

    await stack.restartWs();
    await connected(chloe, 90_000);
    await connected(ada, 90_000);
    await row(ada, second).waitFor({ timeout: 60_000 });
    await row(chloe, second)
      .getByText(/Sent|Read/)
      .waitFor();

    const texts = await shownTexts(ada);
    expect(texts.filter((t) => t === first)).toHaveLength(1);
    expect(texts.filter((t) => t === second)).toHaveLength(1);
    expect(texts.indexOf(first)).toBeLessThan(texts.indexOf(second));
    const rows = await stored();
    expect(rows.map((r) => r.content)).toEqual([first, second]);
    await screenshot(ada, '5-after-reconnect');
  });

  it('refetches history when the server can no longer resume (STALE_EVENT_ID)', async () => {
    const { stack, ada, chloe } = world;
    const conversationId = stack.seededConversationId;
    await stack.killWs();
    // While both are away, two messages arrive and the event log loses all but the last:
    // the ids they hold are now older than what the server can replay.
    const api = await apiAs(stack.baseUrl, 'ada@example.com');
    const lines = ['Sent while you were away.', 'And the log was pruned after it.'];
    for (const content of lines) {
      await api.mutate('message.send', { conversationId, clientId: randomUUID(), content });
    }
    await stack.db.$client`
      delete from message_events where conversation_id = ${conversationId}
        and seq < (select last_event_seq from conversations where id = ${conversationId})`;
    await stack.restartWs();

    for (const page of [ada, chloe]) {
      await connected(page, 90_000);
      await row(page, lines[1] ?? '').waitFor({ timeout: 60_000 });
      const texts = await shownTexts(page);
      expect(texts.filter((t) => t === lines[0])).toHaveLength(1);
      expect(texts.indexOf(lines[0] ?? '')).toBeLessThan(texts.indexOf(lines[1] ?? ''));
    }
    // And live delivery works again from the new starting point.
    await send(chloe, 'Back in sync?');
    await row(ada, 'Back in sync?').waitFor();
  });

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
