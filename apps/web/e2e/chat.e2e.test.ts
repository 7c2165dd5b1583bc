import { randomUUID } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Booking, Conversation } from '@estuary/api';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs } from './harness/api';
import {
  connected,
  consoleErrors,
  launchBrowser,
  SCREENSHOTS,
  screenshot,
  signIn,
  uncaught,
} from './harness/browser';
import { composer, listEntry, log, row, send, shownTexts } from './harness/chat-page';
import { type Stack, startStack } from './harness/stack';

const docsShot = resolve(dirname(fileURLToPath(import.meta.url)), '../docs/chat.png');

let stack: Stack;
let browser: Browser;
let ada: Page;
let chloe: Page;

/** Whether a row shows inside the scrolling message log. */
async function inView(target: Locator): Promise<boolean> {
  const [box, frame] = await Promise.all([target.boundingBox(), log(ada).boundingBox()]);
  if (!box || !frame) return false;
  return box.y + box.height > frame.y && box.y < frame.y + frame.height;
}

describe.sequential('chat in two browsers', () => {
  beforeAll(async () => {
    stack = await startStack();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    // Refused sockets while ws is down are expected; anything else is worth reading.
    const other = consoleErrors.filter((line) => !line.includes('ERR_CONNECTION_REFUSED'));
    if (other.length > 0) console.warn(`console errors:\n${other.join('\n')}`);
    await browser?.close().catch(() => {});
    await stack?.stop();
  });

  it('signs in, opens the booking chat from /bookings, and delivers a message live', async () => {
    chloe = await signIn(browser, stack.baseUrl, 'chloe@example.com');
    ada = await signIn(browser, stack.baseUrl, 'ada@example.com');
    // The seed leaves one of Ada's messages unread by Chloe.
    const unread = listEntry(chloe, 'Ada Okafor').getByText('1 unread');
    await unread.waitFor();

    await chloe.getByRole('link', { name: 'Bookings' }).click();
    const booking = chloe.getByRole('listitem', { name: 'Ada Okafor' });
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
      .getByText('Sent', { exact: true })
      .or(row(chloe, text).getByText('Read', { exact: true }))
      .waitFor();
    await screenshot(ada, '1-live-message');
  });

  it('shows the typing indicator and clears it when the message is sent', async () => {
    const indicator = chloe.getByText('Ada is typing…');
    await composer(ada).fill('Of course, breathing exercises');
    await indicator.waitFor();
    await screenshot(chloe, '2-typing');
    await composer(ada).press('Enter');
    await row(chloe, 'Of course, breathing exercises').waitFor();
    await indicator.waitFor({ state: 'hidden', timeout: 10_000 });
  });

  it('marks a message read on the sender side once the other side has seen it', async () => {
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

  it('queues messages while ws is down, across a reload, and delivers them once, in order', async () => {
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

  it('loads older history at the top, keeps the view still, and offers New messages', async () => {
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
    expect(await inView(history(16))).toBe(true);
    expect(await inView(history(1))).toBe(false);
    await screenshot(ada, '7-history');

    await dev.mutate('message.send', {
      conversationId: id,
      clientId: randomUUID(),
      content: 'Are you there?',
    });
    const jump = ada.getByRole('button', { name: /New messages/ });
    await jump.click();
    await expect.poll(() => inView(row(ada, 'Are you there?')), { timeout: 10_000 }).toBe(true);
    await jump.waitFor({ state: 'hidden' });
    await ada.getByRole('link', { name: 'Chloe Martin', exact: true }).click();
    await ada.waitForURL(`**/conversations/${stack.seededConversationId}`);
  });

  it('takes the README screenshot', async () => {
    await composer(chloe).fill('Thanks, see you');
    await ada.getByText('Chloe is typing…').waitFor();
    await screenshot(ada, 'readme');
    // Regenerate the committed picture only when asked: a PNG rewritten on every run is noise.
    if (process.env.UPDATE_SCREENSHOT === '1') {
      await mkdir(dirname(docsShot), { recursive: true });
      await copyFile(resolve(SCREENSHOTS, 'readme.png'), docsShot);
    }
    await composer(chloe).fill('');
  });

  it('shows one pane at a time on a phone', async () => {
    const phone = await signIn(browser, stack.baseUrl, 'chloe@example.com', {
      width: 390,
      height: 844,
    });
    try {
      const link = phone.getByRole('link', { name: 'Ada Okafor', exact: true });
      await link.click();
      await phone.waitForURL(`**/conversations/${stack.seededConversationId}`);
      await row(phone, 'Great, see you then.').waitFor();
      await link.waitFor({ state: 'hidden' });
      await screenshot(phone, '6-phone');
      await phone.getByRole('link', { name: 'All conversations' }).click();
      await link.waitFor();
      await log(phone).waitFor({ state: 'detached' });

      await phone.getByRole('button', { name: 'Sign out' }).click();
      await phone.waitForURL('**/login');
      await phone.goto('/conversations');
      await phone.waitForURL('**/login');
      await phone.getByRole('button', { name: 'Sign in' }).waitFor();
      await screenshot(phone, '6-phone-signed-out');
    } finally {
      await phone.context().close();
    }
  });

  it('ends without an uncaught error in any page', () => {
    expect(uncaught).toEqual([]);
  });
});
