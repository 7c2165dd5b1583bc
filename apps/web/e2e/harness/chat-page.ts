import type { Locator, Page } from 'playwright-core';

// What a test reads and does on a chat page, by role and label as a person would find it.

export const log = (page: Page) => page.getByRole('log');
export const row = (page: Page, text: string) => log(page).locator('li.message', { hasText: text });
export const listEntry = (page: Page, name: string) =>
  page
    .getByRole('navigation', { name: 'Conversations' })
    .getByRole('listitem')
    .filter({
      has: page.getByRole('link', { name, exact: true }),
    });
export const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });

export async function send(page: Page, text: string) {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

/** The message texts a page shows, top to bottom. */
export const shownTexts = (page: Page) =>
  log(page).locator('li.message .content').allTextContents();

/** Whether a row shows inside the page's scrolling message log. */
export async function inView(page: Page, target: Locator): Promise<boolean> {
  const [box, frame] = await Promise.all([target.boundingBox(), log(page).boundingBox()]);
  if (!box || !frame) return false;
  return box.y + box.height > frame.y && box.y < frame.y + frame.height;
}

/** Drops files on the composer as a person dragging them from their desktop would. */
export async function dropFiles(
  page: Page,
  files: { name: string; type: string; bytes: Buffer }[],
) {
  const payload = files.map((f) => ({ ...f, bytes: f.bytes.toString('base64') }));
  await page.locator('form.composer').evaluate((form, list) => {
    const transfer = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.bytes), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], f.name, { type: f.type }));
    }
    form.dispatchEvent(new DragEvent('dragover', { bubbles: true, dataTransfer: transfer }));
    form.dispatchEvent(new DragEvent('drop', { bubbles: true, dataTransfer: transfer }));
  }, payload);
}
