import { randomUUID } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Conversation, Message } from '@estuary/api';
import { expect, it } from 'vitest';
import { apiAs } from '../harness/api';
import { SCREENSHOTS, screenshot } from '../harness/browser';
import { composer, inView, log, row, send } from '../harness/chat-page';
import type { World } from './world';

const docs = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs');

/** A screenshot that the README shows: regenerated only when asked, like finish's. */
async function readmeShot(page: Parameters<typeof screenshot>[0], name: string) {
  await screenshot(page, name);
  if (process.env.UPDATE_SCREENSHOT === '1') {
    await mkdir(docs, { recursive: true });
    await copyFile(resolve(SCREENSHOTS, `${name}.png`), resolve(docs, `${name}.png`));
  }
}

/** Reactions, replies, search, and a group run from the UI (issue 13). */
export function richConversations(world: World) {
  it('reacts to a message, and the other side sees it live', async () => {
    const { ada, chloe } = world;
    const text = 'Could we also try the body scan?';
    await send(chloe, text);
    await row(ada, text).waitFor();
    await row(ada, text).hover();
    await row(ada, text).getByRole('button', { name: 'React', exact: true }).click();
    await ada.getByRole('button', { name: 'React with 👍' }).click();
    const mine = row(ada, text).getByRole('button', { name: /^👍 1: You$/ });
    await mine.waitFor();
    expect(await mine.getAttribute('aria-pressed')).toBe('true');
    const theirs = row(chloe, text).getByRole('button', { name: /^👍 1: Ada Okafor$/ });
    await theirs.waitFor();
    expect(await theirs.getAttribute('aria-pressed')).toBe('false');
    // Chloe joins in by keyboard: Tab to the reaction and press Enter.
    await theirs.focus();
    await chloe.keyboard.press('Enter');
    await row(ada, text)
      .getByRole('button', { name: /^👍 2: You, Chloe Martin$/ })
      .waitFor();
    await readmeShot(ada, '8-reactions');
  });

  it('replies with a quote, and a click on a quote far back jumps to the original', async () => {
    const { stack, ada, chloe } = world;
    const conversationId = stack.seededConversationId;
    // From the UI: the quote above the composer, then in the sent message.
    const asked = 'Is the body scan lying down?';
    await send(chloe, asked);
    await row(ada, asked).hover();
    await row(ada, asked).getByRole('button', { name: 'Reply', exact: true }).click();
    await ada.getByText(`Replying to Chloe Martin`).waitFor();
    await send(ada, 'Yes, lying down, with a blanket.');
    const reply = row(chloe, 'Yes, lying down, with a blanket.');
    await reply
      .getByRole('button', { name: /^Reply to Ada Okafor|^Reply to Chloe Martin/ })
      .waitFor();
    await readmeShot(chloe, '9-reply');

    // Far back: the original is several pages up, beyond what the view has loaded.
    const chloeApi = await apiAs(stack.baseUrl, 'chloe@example.com');
    const sendAs = (content: string, replyToId?: string) =>
      chloeApi.mutate<Message>('message.send', {
        conversationId,
        clientId: randomUUID(),
        content,
        replyToId,
      });
    const original = await sendAs('Where do I park for the session?');
    for (let i = 1; i <= 70; i++) await sendAs(`Filler ${i}`);
    await sendAs('Sorry, still wondering about parking', original.id);
    await ada.reload();
    const late = row(ada, 'Sorry, still wondering about parking');
    await late.waitFor();
    expect(await row(ada, 'Where do I park for the session?').count()).toBe(0);
    await late.getByRole('button', { name: /Show the original/ }).click();
    const target = row(ada, 'Where do I park for the session?');
    await target.waitFor({ timeout: 20_000 });
    await expect.poll(() => inView(ada, target), { timeout: 10_000 }).toBe(true);
    expect(await target.getAttribute('class')).toContain('highlighted');
  });

  it('finds a message from last month as you type, and opens it in place', async () => {
    const { stack, ada } = world;
    const conversationId = stack.seededConversationId;
    const chloeApi = await apiAs(stack.baseUrl, 'chloe@example.com');
    const old = await chloeApi.mutate<Message>('message.send', {
      conversationId,
      clientId: randomUUID(),
      content: 'Last month the Alpine retreat helped a lot',
    });
    await stack.db.$client`
      update messages set created_at = now() - interval '32 days' where id = ${old.id}`;
    for (let i = 1; i <= 35; i++) {
      await chloeApi.mutate('message.send', {
        conversationId,
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
    await ada.waitForURL(`**/conversations/${conversationId}?seq=${old.seq}`);
    const target = row(ada, 'Last month the Alpine retreat helped a lot');
    await target.waitFor({ timeout: 20_000 });
    await expect.poll(() => inView(ada, target), { timeout: 10_000 }).toBe(true);
    expect(await target.getAttribute('class')).toContain('highlighted');
  });

  it('creates a group with a third person, renames it, and a removed member stops receiving', async () => {
    const { stack, ada, chloe } = world;
    await ada.getByRole('button', { name: 'New conversation' }).click();
    const panel = ada.getByRole('form', { name: 'New conversation' });
    await panel.getByRole('searchbox').fill('e');
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
    await row(chloe, 'Welcome to the circle').waitFor();

    await ada.getByRole('button', { name: 'Group details' }).click();
    const details = ada.getByRole('region', { name: 'Group details' });
    await details.getByRole('textbox', { name: 'Group name' }).fill('Tuesday circle');
    await details.getByRole('button', { name: 'Rename' }).click();
    await ada.getByRole('heading', { name: 'Tuesday circle' }).waitFor();
    await chloe.getByRole('link', { name: 'Tuesday circle', exact: true }).waitFor();
    await screenshot(ada, '11-group');

    await details.getByRole('button', { name: 'Remove Chloe Martin' }).click();
    await details.getByRole('button', { name: 'Remove Chloe Martin' }).waitFor({ state: 'hidden' });
    await chloe.getByRole('link', { name: 'Tuesday circle', exact: true }).waitFor({
      state: 'hidden',
    });
    const dev = await apiAs(stack.baseUrl, 'dev@example.com');
    await dev.mutate('message.send', {
      conversationId: groupId,
      clientId: randomUUID(),
      content: 'Only for those still here',
    });
    await row(ada, 'Only for those still here').waitFor();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await row(chloe, 'Only for those still here').count()).toBe(0);
    expect(
      (await dev.query<Conversation>('conversation.get', { conversationId: groupId })).title,
    ).toBe('Tuesday circle');

    // Back where the next scenarios expect them.
    for (const page of [ada, chloe]) {
      const other = page === ada ? 'Chloe Martin' : 'Ada Okafor';
      await page.getByRole('link', { name: other, exact: true }).click();
      await page.waitForURL(`**/conversations/${stack.seededConversationId}`);
      await composer(page).waitFor();
      await log(page).waitFor();
    }
  });
}
