import { randomUUID } from 'node:crypto';
import { schema } from '@estuary/db';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attachment, MessageEvent } from '../src';
import { localStore, s3Store } from './attachment-stores';
import { bookedPair, codeOf, collector, type Stack, startStack } from './harness';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n');
const HTML = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>');
const TEXT = Buffer.from('Breathe in for four, hold for seven, out for eight.\n');

/** A 40×20 JPEG that says "rotate 90°" and where it was taken. */
const photo = () =>
  sharp({ create: { width: 40, height: 20, channels: 3, background: '#3a7' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: 'Estuary Test Camera' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' },
    })
    .toBuffer();

const stores = [
  { name: 'local disk', make: localStore },
  { name: 'S3-compatible (s3rver)', make: s3Store },
];

describe.each(stores)('attachments on $name', ({ make }) => {
  let stack: Stack;
  let store: Awaited<ReturnType<typeof make>>;
  let now = Date.now();
  beforeAll(async () => {
    store = await make();
    stack = await startStack({
      limits: { sendRatePerSecond: 1_000, sendBurst: 1_000 },
      attachments: store.config,
      clock: () => now,
    });
  });
  afterAll(async () => {
    await stack?.close();
    await store?.close();
  });

  const at = (url: string) => new URL(url, stack.origin);
  type Pair = Awaited<ReturnType<typeof bookedPair>>;
  type Member = Pair['client'];

  async function upload(
    member: Member,
    conversationId: string,
    body: Buffer,
    contentType: string,
    declared: { name?: string; size?: number } = {},
  ) {
    const created = await member.client.attachment.createUpload.mutate({
      conversationId,
      name: declared.name ?? 'file',
      contentType,
      size: declared.size ?? body.length,
    });
    const put = await fetch(at(created.upload.url), {
      method: created.upload.method,
      headers: created.upload.headers,
      body: new Uint8Array(body),
    });
    return { attachment: created.attachment, put };
  }

  const send = (
    member: Member,
    conversationId: string,
    attachmentIds: string[],
    clientId = randomUUID(),
  ) => member.client.message.send.mutate({ conversationId, clientId, content: '', attachmentIds });

  const row = async (id: string) =>
    (await stack.db.select().from(schema.attachments).where(eq(schema.attachments.id, id)))[0];
  const objectSize = async (key: string | null | undefined) =>
    key ? (await stack.services.deps.attachments?.store())?.size(key) : null;
  const messageCount = async (conversationId: string) =>
    (
      await stack.db
        .select()
        .from(schema.messages)
        .where(eq(schema.messages.conversationId, conversationId))
    ).length;

  it('uploads, sends with no text, lists, and downloads the same bytes as a member', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const { attachment, put } = await upload(
      practitioner,
      conversation.id,
      PDF,
      'application/pdf',
      {
        name: '../../etc/worksheet.pdf',
      },
    );
    expect(put.ok).toBe(true);
    if (store.config.store.kind === 's3') {
      // The bytes went to the object store, not through us.
      expect(put.url.startsWith(store.config.store.endpoint ?? '-')).toBe(true);
    }
    expect(attachment.name).toBe('worksheet.pdf');
    const message = await send(practitioner, conversation.id, [attachment.id]);
    expect(message.content).toBe('');
    expect(message.attachments).toEqual([
      expect.objectContaining({
        id: attachment.id,
        name: 'worksheet.pdf',
        contentType: 'application/pdf',
        size: PDF.length,
        width: null,
        thumbnailUrl: null,
      }),
    ]);
    const page = await client.client.message.list.query({ conversationId: conversation.id });
    const listed = page.items.at(-1)?.attachments[0] as Attachment;
    expect(listed.id).toBe(attachment.id);
    const download = await fetch(at(listed.url));
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(PDF);
    expect(download.headers.get('content-disposition')).toMatch(
      /^inline; filename="worksheet.pdf"/,
    );
    const summaries = await client.client.conversation.list.query({});
    expect(summaries.items[0]?.lastMessage?.attachments[0]?.id).toBe(attachment.id);
  });

  it('carries attachments on the live stream and on replay', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    type Tracked = { id: string; data: MessageEvent };
    const live = collector<Tracked>();
    const sub = client.client.message.onEvent.subscribe({ conversationId: conversation.id }, live);
    await stack.listening(`c:${conversation.id}:m`);
    const { attachment } = await upload(practitioner, conversation.id, PDF, 'application/pdf');
    await send(practitioner, conversation.id, [attachment.id]);
    await live.until((items) => items.length === 1);
    expect(live.items[0]?.data.message.attachments.map((a) => a.id)).toEqual([attachment.id]);
    sub.unsubscribe();
    const replay = collector<Tracked>();
    const again = client.client.message.onEvent.subscribe(
      { conversationId: conversation.id, lastEventId: '0' },
      replay,
    );
    await replay.until((items) => items.length === 1);
    const replayed = replay.items[0]?.data.message.attachments[0];
    expect(replayed?.id).toBe(attachment.id);
    expect((await fetch(at(replayed?.url ?? ''))).status).toBe(200);
    again.unsubscribe();
  });

  it('serves other files as downloads, with nosniff', async () => {
    const { practitioner, conversation } = await bookedPair(stack);
    const { attachment } = await upload(practitioner, conversation.id, TEXT, 'text/plain', {
      name: 'notes.txt',
    });
    const message = await send(practitioner, conversation.id, [attachment.id]);
    const response = await fetch(at(message.attachments[0]?.url ?? ''));
    expect(Buffer.from(await response.arrayBuffer())).toEqual(TEXT);
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="notes.txt"/,
    );
    if (store.config.store.kind === 'local') {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toMatch(/^sandbox/);
    }
  });

  it('gives fresh URLs to members only, and refuses expired ones', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const stranger = await stack.signUp('client');
    const { attachment } = await upload(practitioner, conversation.id, PDF, 'application/pdf');
    await send(practitioner, conversation.id, [attachment.id]);
    expect(
      await codeOf(stranger.client.attachment.get.query({ attachmentId: attachment.id })),
    ).toBe('FORBIDDEN');
    const fresh = await client.client.attachment.get.query({ attachmentId: attachment.id });
    expect((await fetch(at(fresh.url))).status).toBe(200);
    const tampered = fresh.url.replace(/sig=./, (s) => (s.endsWith('A') ? 'sig=B' : 'sig=A'));
    expect((await fetch(at(tampered))).status).toBe(403);
    now += 21 * 60_000;
    try {
      expect((await fetch(at(fresh.url))).status).toBe(403);
      const again = await client.client.attachment.get.query({ attachmentId: attachment.id });
      expect((await fetch(at(again.url))).status).toBe(200);
    } finally {
      now = Date.now();
    }
  });

  it('refuses an oversize file and a type not allowed up front', async () => {
    const { practitioner, conversation } = await bookedPair(stack);
    const base = {
      conversationId: conversation.id,
      name: 'big.pdf',
      contentType: 'application/pdf',
    };
    expect(
      await codeOf(
        practitioner.client.attachment.createUpload.mutate({ ...base, size: 2 * 1024 * 1024 }),
      ),
    ).toBe('PAYLOAD_TOO_LARGE');
    expect(
      await codeOf(
        practitioner.client.attachment.createUpload.mutate({
          ...base,
          contentType: 'text/html',
          size: 10,
        }),
      ),
    ).toBe('BAD_REQUEST');
    const stranger = await stack.signUp('client');
    expect(
      await codeOf(stranger.client.attachment.createUpload.mutate({ ...base, size: 10 })),
    ).toBe('FORBIDDEN');
  });

  it('refuses an HTML file declared as image/png, and stores nothing', async () => {
    const { practitioner, conversation } = await bookedPair(stack);
    const { attachment } = await upload(practitioner, conversation.id, HTML, 'image/png', {
      name: 'cat.png',
    });
    expect(await codeOf(send(practitioner, conversation.id, [attachment.id]))).toBe('BAD_REQUEST');
    expect(await messageCount(conversation.id)).toBe(0);
    const stored = await row(attachment.id);
    expect(stored?.messageId ?? null).toBeNull();
    expect(await objectSize(stored?.storageKey)).toBeNull();
  });

  it('refuses a size mismatch, and stores nothing', async () => {
    const { practitioner, conversation } = await bookedPair(stack);
    const { attachment } = await upload(practitioner, conversation.id, PDF, 'application/pdf', {
      size: PDF.length + 10,
    });
    expect(await codeOf(send(practitioner, conversation.id, [attachment.id]))).toBe('BAD_REQUEST');
    expect(await messageCount(conversation.id)).toBe(0);
    expect(await objectSize((await row(attachment.id))?.storageKey)).toBeNull();
  });

  it("refuses someone else's attachment and a reused one; a retried send returns the original", async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const { attachment } = await upload(practitioner, conversation.id, PDF, 'application/pdf');
    expect(await codeOf(send(client, conversation.id, [attachment.id]))).toBe('BAD_REQUEST');
    const clientId = randomUUID();
    const first = await send(practitioner, conversation.id, [attachment.id], clientId);
    const retried = await send(practitioner, conversation.id, [attachment.id], clientId);
    expect(retried.id).toBe(first.id);
    expect(retried.attachments.map((a) => a.id)).toEqual([attachment.id]);
    expect(await codeOf(send(practitioner, conversation.id, [attachment.id]))).toBe('BAD_REQUEST');
    expect(await messageCount(conversation.id)).toBe(1);
    // Another conversation of the same sender is no place for it either.
    const other = await bookedPair(stack);
    const { attachment: elsewhere } = await upload(
      other.practitioner,
      other.conversation.id,
      PDF,
      'application/pdf',
    );
    expect(await codeOf(send(other.practitioner, conversation.id, [elsewhere.id]))).toBe(
      'FORBIDDEN',
    );
    expect(
      await codeOf(
        practitioner.client.message.send.mutate({
          conversationId: conversation.id,
          clientId: randomUUID(),
          content: '  ',
        }),
      ),
    ).toBe('BAD_REQUEST');
  });

  it('lets only one of two racing sends take the same attachment', async () => {
    const { practitioner, conversation } = await bookedPair(stack);
    const { attachment } = await upload(practitioner, conversation.id, PDF, 'application/pdf');
    await stack.services.deps.attachments?.checkForSend(practitioner.user, conversation.id, [
      attachment.id,
    ]);
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => send(practitioner, conversation.id, [attachment.id])),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await messageCount(conversation.id)).toBe(1);
  });

  it('serves a photo upright, with its size and a thumbnail, and without EXIF or GPS', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const original = await photo();
    expect((await sharp(original).metadata()).exif).toBeDefined();
    const { attachment } = await upload(practitioner, conversation.id, original, 'image/jpeg', {
      name: 'form.jpg',
    });
    await send(practitioner, conversation.id, [attachment.id]);
    const got = await client.client.attachment.get.query({ attachmentId: attachment.id });
    expect([got.width, got.height]).toEqual([20, 40]);
    const served = Buffer.from(await (await fetch(at(got.url))).arrayBuffer());
    const meta = await sharp(served).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation ?? 1).toBe(1);
    expect([meta.width, meta.height]).toEqual([20, 40]);
    expect(served.includes(Buffer.from('Estuary Test Camera'))).toBe(false);
    const thumbnail = await fetch(at(got.thumbnailUrl ?? ''));
    expect(thumbnail.status).toBe(200);
    expect((await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata()).format).toBe(
      'webp',
    );
    // The original, with its GPS, is gone from storage.
    expect(await objectSize((await row(attachment.id))?.storageKey)).toBeNull();
  });

  it('deleting a message deletes its files', async () => {
    const { practitioner, conversation } = await bookedPair(stack);
    const { attachment } = await upload(practitioner, conversation.id, await photo(), 'image/jpeg');
    const message = await send(practitioner, conversation.id, [attachment.id]);
    const before = await row(attachment.id);
    expect(await objectSize(before?.servedKey)).toBeGreaterThan(0);
    const deleted = await practitioner.client.message.delete.mutate({ messageId: message.id });
    expect(deleted.attachments).toEqual([]);
    expect(await row(attachment.id)).toBeUndefined();
    expect(await objectSize(before?.servedKey)).toBeNull();
    expect(await objectSize(before?.thumbnailKey)).toBeNull();
    expect((await fetch(at(message.attachments[0]?.url ?? ''))).status).toBe(404);
  });

  it('removes uploads never sent after a day, and keeps sent ones', async () => {
    const { practitioner, conversation } = await bookedPair(stack);
    const orphan = await upload(practitioner, conversation.id, PDF, 'application/pdf');
    const kept = await upload(practitioner, conversation.id, PDF, 'application/pdf');
    await send(practitioner, conversation.id, [kept.attachment.id]);
    const service = stack.services.deps.attachments;
    const orphanRow = await row(orphan.attachment.id);
    await service?.sweep();
    expect(await row(orphan.attachment.id)).toBeDefined();
    now += 25 * 60 * 60_000;
    try {
      expect(await service?.sweep()).toBeGreaterThanOrEqual(1);
    } finally {
      now = Date.now();
    }
    expect(await row(orphan.attachment.id)).toBeUndefined();
    expect(await objectSize(orphanRow?.servedKey ?? orphanRow?.storageKey)).toBeNull();
    expect(await row(kept.attachment.id)).toBeDefined();
  });
});
