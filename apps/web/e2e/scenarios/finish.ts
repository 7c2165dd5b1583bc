import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { e2eEnv } from '../env';
import { SCREENSHOTS, screenshot, signIn, uncaught } from '../harness/browser';
import { composer, log, row } from '../harness/chat-page';
import type { World } from './world';

const docsShot = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/chat.png');

/** The README picture, the phone layout, sign-out, and a clean console. */
export function finish(world: World) {
  it('takes the README screenshot', async () => {
    const { ada, chloe } = world;
    await composer(chloe).fill('Thanks, see you');
    await ada.getByText('Chloe is typing…').waitFor();
    await screenshot(ada, 'readme');
    // Regenerate the committed picture only when asked: a PNG rewritten on every run is noise.
    if (e2eEnv.updateScreenshots) {
      await mkdir(dirname(docsShot), { recursive: true });
      await copyFile(resolve(SCREENSHOTS, 'readme.png'), docsShot);
    }
    await composer(chloe).fill('');
  });

  it('shows one pane at a time on a phone', async () => {
    const { stack, browser } = world;
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

      await phone.getByRole('button', { name: 'Sign out', exact: true }).click();
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
}
