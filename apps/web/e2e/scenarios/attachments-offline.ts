import { expect, it } from 'vitest';
import { screenshot } from '../harness/browser';
import { composer, dropFiles, row } from '../harness/chat-page';
import type { Stack } from '../harness/stack';
import type { World } from './world';

/** How many messages hold this text, and how many files are on them: the truth, in Postgres. */
async function stored(stack: Stack, text: string) {
  const [counts] = await stack.db.$client<{ messages: number; files: number }[]>`
    select count(distinct m.id)::int as messages, count(a.id)::int as files
    from messages m left join attachments a on a.message_id = m.id
    where m.content = ${text}`;
  return counts ?? { messages: 0, files: 0 };
}

/** Files with their message while offline. */
export function attachmentsOffline(world: World) {
  it('offline: a file attached and sent waits in the outbox, then goes out once on reconnect', async () => {
    const { stack, ada, chloe } = world;
    const text = 'Sent from the train: the exercise sheet.';
    const bytes = Buffer.from('Inhale four, hold seven, exhale eight. Four rounds.\n');
    await ada.context().setOffline(true);
    try {
      await ada.getByText('You are offline.').waitFor();
      // The socket to apps/ws outlives the network (and Chromium's emulation leaves it up).
      await ada.getByRole('status', { name: 'Connection' }).getByText('Offline').waitFor();
      await dropFiles(ada, [{ name: 'train-notes.txt', type: 'text/plain', bytes }]);
      const held = ada.locator('[data-upload-status="held"]');
      await held.getByText('uploads when you are back online').waitFor();
      await composer(ada).fill(text);
      await composer(ada).press('Enter');
      // The message and its file wait in the outbox, the file named, nothing on the server.
      const pending = row(ada, text);
      await pending.getByText('Queued with its file').waitFor();
      await pending.getByText('train-notes.txt').waitFor();
      expect(await composer(ada).inputValue()).toBe('');
      await screenshot(ada, 'attachments-offline');
      expect(await stored(stack, text)).toEqual({ messages: 0, files: 0 });
    } finally {
      await ada.context().setOffline(false);
    }

    const arrived = row(chloe, text).locator('[data-attachment-card]');
    await arrived.getByText('train-notes.txt').waitFor({ timeout: 60_000 });
    await ada.locator('li.message.pending', { hasText: text }).waitFor({ state: 'detached' });
    expect(await stored(stack, text)).toEqual({ messages: 1, files: 1 });
    expect(await row(chloe, text).count()).toBe(1);
    // The bytes Chloe gets are the ones Ada attached offline.
    const url = await arrived.evaluate((card) => (card as HTMLAnchorElement).href);
    const got = await chloe.evaluate(async (href) => (await fetch(href)).text(), url);
    expect(got).toBe(bytes.toString());
  });
}
