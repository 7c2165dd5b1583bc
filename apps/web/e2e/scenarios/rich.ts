import { randomUUID } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Conversation, Message } from '@estuary/api';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { e2eEnv } from '../env';
import { apiAs } from '../harness/api';
import { SCREENSHOTS, screenshot, signIn } from '../harness/browser';
import { composer, inView, log, row, send } from '../harness/chat-page';
import type { World } from './world';

const docs = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs');

/** A screenshot that the README shows: regenerated only when asked, like finish's. */
async function readmeShot(page: Page, name: string) {
  await screenshot(page, name);
  if (e2eEnv.updateScreenshots) {
    await mkdir(docs, { recursive: true });
    await copyFile(resolve(SCREENSHOTS, `${name}.png`), resolve(docs, `${name}.png`));
  }
}

/** The row whose own text is exactly `text` (a reply quoting it does not count). */
const message = (page: Page, text: string) =>
  log(page)
    .locator('li.message')
    .filter({ has: page.locator('p.content').getByText(text, { exact: true }) });

/**
 * Reactions, replies, search, and a group run from the UI (issue 13). Ada and Dev (a third
 * browser) talk in their booking chat, so Ada and Chloe's stays as the later scenarios expect.
 */
export function richConversations(world: World) {
  let dev: Page;
  let devConversationId = '';

  it('reacts to a message, and the other side sees it live', async () => {
    const { stack, browser, ada } = world;
    dev = await signIn(browser, stack.baseUrl, 'dev@example.com');
    await dev.getByRole('link', { name: 'Ada Okafor', exact: true }).click();
    await dev.waitForURL(/\/conversations\/[0-9a-f-]{36}$/);
    devConversationId = dev.url().split('/').at(-1) ?? '';
    await ada.getByRole('link', { name: 'Dev Patel', exact: true }).click();
    await ada.waitForURL(`**/conversations/${devConversationId}`);

    const text = 'Could we also try the body scan?';
    await send(dev, text);
    await message(ada, text).waitFor();
    await message(ada, text).hover();
    await message(ada, text).getByRole('button', { name: 'React', exact: true }).click();
    await ada.getByRole('button', { name: 'React with 👍' }).click();
    const mine = message(ada, text).getByRole('button', { name: /^👍 1: You$/ });
    await mine.waitFor();
    expect(await mine.getAttribute('aria-pressed')).toBe('true');
    const theirs = message(dev, text).getByRole('button', { name: /^👍 1: Ada Okafor$/ });
    await theirs.waitFor();
    expect(await theirs.getAttribute('aria-pressed')).toBe('false');
    // Dev joins in by keyboard: focus the reaction and press Enter.
    await theirs.focus();
    await dev.keyboard.press('Enter');
    await message(ada, text)
      .getByRole('button', { name: /^👍 2: You, Dev Patel$/ })
      .waitFor();
    await readmeShot(ada, '8-reactions');
  });

  it('replies with a quote, and a click on a quote far back jumps to the original', async () => {
    const { stack, ada } = world;
    // From the UI: the quote above the composer, then in the sent message.
    const asked = 'Is the body scan lying down?';
    await send(dev, asked);
    await message(ada, asked).hover();
    await message(ada, asked).getByRole('button', { name: 'Reply', exact: true }).click();
    await ada.getByText('Replying to Dev Patel').waitFor();
    await send(ada, 'Yes, lying down, with a blanket.');
    await message(dev, 'Yes, lying down, with a blanket.')
      .getByRole('button', { name: /^Reply to Dev Patel: Is the body scan lying down\?/ })
      .waitFor();
    await readmeShot(dev, '9-reply');

    // Far back: the original is pages up, beyond what the view has loaded.
    const devApi = await apiAs(stack.baseUrl, 'dev@example.com');
    const sendAs = (content: string, replyToId?: string) =>
      devApi.mutate<Message>('message.send', {
        conversationId: devConversationId,
        clientId: randomUUID(),
        content,
        replyToId,
      });
    const original = await sendAs('Where do I park for the session?');
    for (let i = 1; i <= 70; i++) await sendAs(`Filler ${i}`);
    await sendAs('Sorry, still wondering about parking', original.id);
    await ada.reload();
    const late = message(ada, 'Sorry, still wondering about parking');
    await late.waitFor();
    expect(await message(ada, 'Where do I park for the session?').count()).toBe(0);
    await late.getByRole('button', { name: /Show the original/ }).click();
    const target = message(ada, 'Where do I park for the session?');
    await target.waitFor({ timeout: 20_000 });
    await expect.poll(() => inView(ada, target), { timeout: 10_000 }).toBe(true);
    expect(await target.getAttribute('class')).toContain('highlighted');
  });

  it('finds a message from last month as you type, and opens it in place', async () => {
    const { stack, ada } = world;
    const devApi = await apiAs(stack.baseUrl, 'dev@example.com');
    const old = await devApi.mutate<Message>('message.send', {
      conversationId: devConversationId,
      clientId: randomUUID(),
      content: 'Last month the Alpine retreat helped a lot',
    });
    await stack.db.$client`
      update messages set created_at = now() - interval '32 days' where id = ${old.id}`;
    for (let i = 1; i <= 35; i++) {
      await devApi.mutate('message.send', {
        conversationId: devConversationId,
        clientId: randomUUID(),
        content: `Later note ${i}`,
      });
    }
    const box = ada.getByRole('searchbox', { name: 'Search messages' });
    await box.pressSequentially('alpi', { delay: 40 });
    const results = ada.getByRole('region', { name: 'Search results' });
    const hit = results.getByRole('link', { name: /Alpine retreat/ });
    await hit.waitFor();
    expect(await hit.locator('mark').allTextContents()).toEqual(['Alpine']);
    await readmeShot(ada, '10-search');
    await hit.click();
    await ada.waitForURL(`**/conversations/${devConversationId}?seq=${old.seq}`);
    const target = message(ada, 'Last month the Alpine retreat helped a lot');
    await target.waitFor({ timeout: 20_000 });
    await expect.poll(() => inView(ada, target), { timeout: 10_000 }).toBe(true);
    expect(await target.getAttribute('class')).toContain('highlighted');
  });

  it('creates a group with a third person, renames it, and a removed member stops receiving', async () => {
    const { stack, ada, chloe } = world;
    await ada.getByRole('button', { name: 'New conversation' }).click();
    const panel = ada.getByRole('form', { name: 'New conversation' });
    await panel.getByRole('searchbox').fill('chl');
    await panel.getByRole('checkbox', { name: /Chloe Martin/ }).check();
    await panel.getByRole('searchbox').fill('dev');
    await panel.getByRole('checkbox', { name: /Dev Patel/ }).check();
    await panel.getByRole('textbox', { name: 'Group name' }).fill('Breathing circle');
    await panel.getByRole('button', { name: 'Create group of 3' }).click();
    await ada.waitForURL(/\/conversations\/[0-9a-f-]{36}$/);
    const groupId = ada.url().split('/').at(-1) ?? '';
    await ada.getByRole('heading', { name: 'Breathing circle' }).waitFor();

    // Chloe sees it arrive in her list, and opens it.
    await chloe.getByRole('link', { name: 'Breathing circle', exact: true }).click();
    await chloe.waitForURL(`**/conversations/${groupId}`);
    await send(ada, 'Welcome to the circle');
    await message(chloe, 'Welcome to the circle').waitFor();

    await ada.getByRole('button', { name: 'Group details' }).click();
    const details = ada.getByRole('region', { name: 'Group details' });
    await details.getByRole('textbox', { name: 'Group name' }).fill('Tuesday circle');
    await details.getByRole('button', { name: 'Rename' }).click();
    await ada.getByRole('heading', { name: 'Tuesday circle' }).waitFor();
    await chloe.getByRole('link', { name: 'Tuesday circle', exact: true }).waitFor();
    await screenshot(ada, '11-group');

    await details.getByRole('button', { name: 'Remove Chloe Martin' }).click();
    await details.getByRole('button', { name: 'Remove Chloe Martin' }).waitFor({ state: 'hidden' });
    await chloe
      .getByRole('link', { name: 'Tuesday circle', exact: true })
      .waitFor({ state: 'hidden' });
    const devApi = await apiAs(stack.baseUrl, 'dev@example.com');
    await devApi.mutate('message.send', {
      conversationId: groupId,
      clientId: randomUUID(),
      content: 'Only for those still here',
    });
    await message(ada, 'Only for those still here').waitFor();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await message(chloe, 'Only for those still here').count()).toBe(0);
    expect(
      (await devApi.query<Conversation>('conversation.get', { conversationId: groupId })).title,
    ).toBe('Tuesday circle');

    // Back where the next scenarios expect them.
    await dev.close();
    for (const [page, other] of [
      [ada, 'Chloe Martin'],
      [chloe, 'Ada Okafor'],
    ] as const) {
      await page.getByRole('link', { name: other, exact: true }).click();
      await page.waitForURL(`**/conversations/${stack.seededConversationId}`);
      await composer(page).waitFor();
      await row(page, 'Great, see you then.').waitFor();
    }
  });
}
