import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { expect, it } from 'vitest';
import { e2eEnv } from '../env';
import { SCREENSHOTS, screenshot } from '../harness/browser';
import { composer, dropFiles, inView, row } from '../harness/chat-page';
import type { World } from './world';

const docsShot = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/attachments.png');
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);

/** A small landscape photo with a camera name and GPS in its EXIF. */
const photo = () =>
  sharp({ create: { width: 480, height: 320, channels: 3, background: '#5f9ea0' } })
    .composite([
      {
        input: Buffer.from(
          '<svg width="480" height="320"><circle cx="240" cy="160" r="90" fill="#f4d35e"/></svg>',
        ),
      },
    ])
    .jpeg()
    .withExif({ IFD0: { Make: 'E2E Camera' }, IFD3: { GPSLatitudeRef: 'N' } })
    .toBuffer();

/** Files by drag and drop, previews and downloads on the other side, and a broken upload. */
export function attachments(world: World) {
  it('Ada drops a photo and a PDF; Chloe sees the thumbnail and downloads the PDF', async () => {
    const { ada, chloe } = world;
    const text = 'The worksheet for tomorrow, and a photo of the room.';
    await dropFiles(ada, [
      { name: 'room.jpg', type: 'image/jpeg', bytes: await photo() },
      { name: 'worksheet.pdf', type: 'application/pdf', bytes: PDF },
    ]);
    await composer(ada).fill(text);
    await composer(ada).press('Enter');

    const message = row(chloe, text);
    const thumbnail = message.getByRole('img', { name: 'room.jpg' });
    await thumbnail.waitFor({ timeout: 60_000 });
    // The first request compiles the download route in next dev: allow it time.
    await expect
      .poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth), {
        timeout: 60_000,
        interval: 250,
      })
      .toBeGreaterThan(0);
    const card = message.locator('[data-attachment-card]');
    await card.getByText('worksheet.pdf').waitFor();
    // The thumbnail's box is reserved from its width and height: the log stays at the bottom.
    await expect.poll(() => inView(chloe, card), { timeout: 10_000 }).toBe(true);
    await screenshot(chloe, 'attachments');
    if (e2eEnv.updateScreenshots) {
      await mkdir(dirname(docsShot), { recursive: true });
      await copyFile(resolve(SCREENSHOTS, 'attachments.png'), docsShot);
    }

    const [download] = await Promise.all([chloe.waitForEvent('download'), card.click()]);
    expect(await readFile(await download.path())).toEqual(PDF);

    // The full-size photo has no EXIF left.
    const full = await thumbnail.evaluate((img) => (img.closest('a') as HTMLAnchorElement).href);
    const served = await chloe.evaluate(async (url) => {
      const response = await fetch(url);
      return {
        nosniff: response.headers.get('x-content-type-options'),
        csp: response.headers.get('content-security-policy'),
        bytes: Array.from(new Uint8Array(await response.arrayBuffer())),
      };
    }, full);
    expect(served.nosniff).toBe('nosniff');
    // The download's own policy, not the app's page policy.
    expect(served.csp).toMatch(/^sandbox/);
    const meta = await sharp(Buffer.from(served.bytes)).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.width).toBe(480);
  });

  it('shows an interrupted upload as failed, keeps the text, and sends once after a retry', async () => {
    const { stack, ada, chloe } = world;
    const text = 'A recording of the exercise, try it tonight.';
    const upload = '**/api/attachments/*/upload*';
    // The server goes away mid-upload: the connection is cut.
    await ada.route(upload, (route) => route.abort('connectionreset'));
    await dropFiles(ada, [
      { name: 'notes.txt', type: 'text/plain', bytes: Buffer.from('Breathe in for four.\n') },
    ]);
    await composer(ada).fill(text);
    await composer(ada).press('Enter');
    const failed = ada.locator('[data-upload-status="failed"]');
    await failed.getByRole('alert').waitFor();
    await ada.getByText('A file did not upload: retry or remove it to send').waitFor();
    await screenshot(ada, 'attachments-failed');
    expect(await composer(ada).inputValue()).toBe(text);

    await ada.unroute(upload);
    await failed.getByRole('button', { name: 'Retry' }).click();
    await row(chloe, text).locator('[data-attachment-card]').getByText('notes.txt').waitFor();
    await expect.poll(() => composer(ada).inputValue(), { timeout: 10_000 }).toBe('');
    const stored = await stack.db.$client<{ n: number }[]>`
      select count(*)::int as n from messages where content = ${text}`;
    expect(stored[0]?.n).toBe(1);
  });
}
