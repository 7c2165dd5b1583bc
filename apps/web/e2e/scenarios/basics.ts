import { expect, it } from 'vitest';
import { screenshot, signIn } from '../harness/browser';
import { composer, listEntry, log, row, send } from '../harness/chat-page';
import type { World } from './world';

/** Sign-in, the booking chat, live delivery, typing, receipts, edit and delete. */
export function conversationBasics(world: World) {
  it('signs in, opens the booking chat from /bookings, and delivers a message live', async () => {
    const { stack, browser } = world;
    const chloe = await signIn(browser, stack.baseUrl, 'chloe@example.com');
    const ada = await signIn(browser, stack.baseUrl, 'ada@example.com');
    Object.assign(world, { ada, chloe });
    // The seed leaves one of Ada's messages unread by Chloe.
    const unread = listEntry(chloe, 'Ada Okafor').getByText('1 unread');
    await unread.waitFor();

    await chloe.getByRole('link', { name: 'Bookings' }).click();
    const booking = chloe.getByRole('listitem', { name: 'Ada Okafor' });
    await booking.waitFor();
    await screenshot(chloe, '1-bookings');
    await booking.getByRole('button', { name: 'Open chat' }).click();
    await chloe.waitForURL(`**/conversations/${stack.seededConversationId}`);
    // Seeing it marks it read, and the list follows live.
    await unread.waitFor({ state: 'hidden' });

    await ada.getByRole('link', { name: 'Bookings' }).click();
    await ada
      .getByRole('listitem', { name: 'Chloe Martin' })
      .getByRole('button', { name: 'Open chat' })
      .click();
    await ada.waitForURL(`**/conversations/${stack.seededConversationId}`);
    await row(ada, 'Great, see you then.').waitFor();
    await ada.locator('.chat-header').getByText('Online', { exact: true }).waitFor();

    const text = 'Hi Ada, could we spend some time on breathing exercises tomorrow?';
    await send(chloe, text);
    await row(ada, text).waitFor();
    await row(chloe, text)
      .getByText(/^(Sent|Delivered|Read)$/)
      .waitFor();
    await screenshot(ada, '1-live-message');
  });

  it('shows the typing indicator and clears it when the message is sent', async () => {
    const { ada, chloe } = world;
    const indicator = chloe.getByText('Ada is typing…');
    await composer(ada).fill('Of course, breathing exercises');
    await indicator.waitFor();
    await screenshot(chloe, '2-typing');
    await composer(ada).press('Enter');
    await row(chloe, 'Of course, breathing exercises').waitFor();
    await indicator.waitFor({ state: 'hidden', timeout: 10_000 });
  });

  it('marks a message read on the sender side once the other side has seen it', async () => {
    const { ada, chloe } = world;
    // Shift+Enter is a new line; Enter sends.
    await composer(ada).fill('I will send you a short recording beforehand.');
    await composer(ada).press('Shift+Enter');
    await composer(ada).pressSequentially('Ten minutes, no more.');
    await composer(ada).press('Enter');
    const text = 'I will send you a short recording beforehand.\nTen minutes, no more.';
    await row(chloe, 'Ten minutes, no more.').waitFor();
    expect(await row(chloe, 'Ten minutes').locator('.content').textContent()).toBe(text);
    await row(ada, 'Ten minutes').getByText('Read', { exact: true }).waitFor();
    await screenshot(ada, '3-read');
  });

  it('propagates an edit and a delete to the other side', async () => {
    const { ada, chloe } = world;
    const original = 'Session starts at 10.';
    const edited = 'Session starts at 10:30, see you then.';
    await send(ada, original);
    await row(chloe, original).waitFor();

    await row(ada, original).hover();
    await row(ada, original).getByRole('button', { name: 'Edit' }).click();
    const editor = ada.getByRole('textbox', { name: 'Edit message' });
    await editor.fill(edited);
    await editor.press('Enter');
    await row(chloe, edited).getByText('(edited)').waitFor();

    const doomed = 'Oops, wrong chat.';
    await send(ada, doomed);
    await row(chloe, doomed).waitFor();
    await row(ada, doomed).hover();
    await row(ada, doomed).getByRole('button', { name: 'Delete' }).click();
    await ada.getByRole('button', { name: 'Yes, delete' }).click();
    await row(chloe, doomed).waitFor({ state: 'detached' });
    await expect.poll(() => log(chloe).getByText('Message deleted').count()).toBe(1);
    await screenshot(chloe, '4-edit-delete');
  });
}
