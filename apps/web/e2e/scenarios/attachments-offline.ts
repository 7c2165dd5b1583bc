import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { connected, screenshot } from '../harness/browser';
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

/**
 * Slows the page's uploads (Chromium's own throttling), so a test can act mid-upload. The
 * throttle lives as long as its DevTools session: Chromium drops the emulated conditions the
 * moment the session detaches, so the session is held until the returned function is called.
 */
async function throttleUploads(page: Page, bytesPerSecond: number) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  });
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    await cdp.detach().catch(() => {});
  };
}

/**
 * next dev's hot-reload socket reloads the page when it meets a restarted server; a
 * production server has no such socket. Until the returned function is called, its
 * reconnects get a socket that goes nowhere, so the page lives through the restart as it
 * would in production; sockets opened after that (a later reload) reach the server again.
 */
async function ignoreDevServerRestarts(page: Page) {
  let ignoring = true;
  await page.routeWebSocket(/\/_next\/hmr/, (socket) => {
    if (!ignoring) socket.connectToServer();
  });
  return () => {
    ignoring = false;
  };
}

/** Files with their message while offline, and while the server goes down mid-upload. */
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

  it('server down mid-upload: the failure shows with Retry, and after a restart the message goes once', async () => {
    const { stack, ada, chloe } = world;
    const text = 'The long recording, as promised.';
    // 3 MiB at 256 KiB/s: about twelve seconds of upload to cut into.
    const bytes = Buffer.alloc(3 * 1024 * 1024, 'breathe in, breathe out\n');
    const stopIgnoring = [await ignoreDevServerRestarts(ada), await ignoreDevServerRestarts(chloe)];
    const unthrottle = await throttleUploads(ada, 256 * 1024);
    let restarted = false;
    try {
      await dropFiles(ada, [{ name: 'session-notes.txt', type: 'text/plain', bytes }]);
      await composer(ada).fill(text);
      // Sent while uploading: it is to go out when the file is up.
      await composer(ada).press('Enter');
      await ada.getByText('Sends when the files are up').waitFor();
      const progress = ada.getByRole('progressbar', { name: 'Uploading session-notes.txt' });
      await expect
        .poll(async () => Number(await progress.getAttribute('value')), {
          timeout: 60_000,
          interval: 100,
        })
        .toBeGreaterThan(0.05);
      await stack.killWeb();
      const failed = ada.locator('[data-upload-status="failed"]');
      await failed.getByRole('alert').waitFor({ timeout: 60_000 });
      await ada.getByText('A file did not upload: retry or remove it to send').waitFor();
      await screenshot(ada, 'attachments-server-down');
      expect(await composer(ada).inputValue()).toBe(text);
      expect(await stored(stack, text)).toEqual({ messages: 0, files: 0 });

      await unthrottle();
      await stack.restartWeb();
      restarted = true;
      await failed.getByRole('button', { name: 'Retry' }).click();
      await row(chloe, text)
        .locator('[data-attachment-card]')
        .getByText('session-notes.txt')
        .waitFor({ timeout: 60_000 });
      await expect.poll(() => composer(ada).inputValue(), { timeout: 30_000 }).toBe('');
      expect(await stored(stack, text)).toEqual({ messages: 1, files: 1 });
      expect(await row(chloe, text).count()).toBe(1);
    } finally {
      await unthrottle();
      if (!restarted) await stack.restartWeb();
      for (const stop of stopIgnoring) stop();
      // Pages kept through a next dev restart hold the old build's client code, whose
      // navigations the new server no longer serves; a production build has no such split.
      // Load them afresh, as next dev itself would have, for the scenarios that follow.
      for (const page of [ada, chloe]) {
        await page.reload();
        await connected(page, 90_000);
      }
    }
  });
}
