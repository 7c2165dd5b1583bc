import { expect, it } from 'vitest';
import { screenshot } from '../harness/browser';
import { listEntry, row, send } from '../harness/chat-page';
import type { World } from './world';

/** Sent, Delivered and Read on the sender's side; mute, and the unread total in the tab title. */
export function delivery(world: World) {
  it('shows Delivered while the reader is elsewhere in the app, then Read once they look', async () => {
    const { ada, chloe, stack } = world;
    // Chloe leaves the conversation; her app (the live list) still receives messages.
    await chloe.getByRole('link', { name: 'Bookings' }).click();
    await chloe.waitForURL('**/bookings');

    // No word here starts with "a": the search scenario later types letter by letter.
    const text = 'Free later today? We could talk then.';
    await send(ada, text);
    await row(ada, text).getByText('Delivered', { exact: true }).waitFor({ timeout: 20_000 });
    await expect.poll(() => chloe.title(), { timeout: 10_000 }).toMatch(/^\(\d+\) /);
    await screenshot(ada, '2-delivered');

    await chloe.getByRole('link', { name: /^Conversations/ }).click();
    await listEntry(chloe, 'Ada Okafor').click();
    await chloe.waitForURL(`**/conversations/${stack.seededConversationId}`);
    await row(chloe, text).waitFor();
    await row(ada, text).getByText('Read', { exact: true }).waitFor({ timeout: 20_000 });
    await expect.poll(() => chloe.title(), { timeout: 10_000 }).not.toMatch(/^\(\d+\) /);
  });

  it('mutes and unmutes a conversation, and offers notifications without asking first', async () => {
    const { chloe } = world;
    const header = chloe.locator('.chat-header');
    await header.getByRole('button', { name: 'Mute' }).click();
    await header.getByRole('button', { name: 'Unmute' }).waitFor();
    expect(await header.getByRole('button', { name: 'Unmute' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await header.getByRole('button', { name: 'Unmute' }).click();
    await header.getByRole('button', { name: 'Mute' }).waitFor();
    await chloe.getByRole('button', { name: 'Enable notifications' }).waitFor();
  });
}
