import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStore } from './attachment-stores';
import { bookedPair, type Stack, startStack } from './harness';

// Distinct bytes at every offset, so a wrong slice cannot pass by accident.
const TEXT = Buffer.from(
  Array.from({ length: 50 }, (_, i) => `line ${String(i).padStart(2, '0')}: breathe\n`).join(''),
);

/** Local downloads answer byte ranges, which browsers need to seek in audio and video. */
describe('attachment downloads with Range (local disk)', () => {
  let stack: Stack;
  let store: Awaited<ReturnType<typeof localStore>>;
  let url: URL;
  beforeAll(async () => {
    store = await localStore();
    stack = await startStack({ attachments: store.config });
    const { practitioner, conversation } = await bookedPair(stack);
    const created = await practitioner.client.attachment.createUpload.mutate({
      conversationId: conversation.id,
      name: 'exercise.txt',
      contentType: 'text/plain',
      size: TEXT.length,
    });
    const put = await fetch(new URL(created.upload.url, stack.origin), {
      method: 'PUT',
      headers: created.upload.headers,
      body: new Uint8Array(TEXT),
    });
    expect(put.ok).toBe(true);
    const message = await practitioner.client.message.send.mutate({
      conversationId: conversation.id,
      clientId: randomUUID(),
      content: '',
      attachmentIds: [created.attachment.id],
    });
    url = new URL(message.attachments[0]?.url ?? '', stack.origin);
  });
  afterAll(async () => {
    await stack?.close();
    await store?.close();
  });

  const get = (headers: Record<string, string> = {}) => fetch(url, { headers });
  const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer());

  it('sends the whole file with 200 when no range is asked, and says ranges are accepted', async () => {
    const response = await get();
    expect(response.status).toBe(200);
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('content-range')).toBeNull();
    expect(await bytes(response)).toEqual(TEXT);
  });

  it('answers one range with 206, Content-Range and exactly those bytes', async () => {
    const response = await get({ range: 'bytes=100-199' });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes 100-199/${TEXT.length}`);
    expect(response.headers.get('content-length')).toBe('100');
    expect(await bytes(response)).toEqual(TEXT.subarray(100, 200));
    // The safety headers stay on a partial answer.
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toMatch(/^sandbox/);
  });

  it('answers open-ended and suffix ranges, as media players ask', async () => {
    const from = await get({ range: `bytes=${TEXT.length - 10}-` });
    expect(from.status).toBe(206);
    expect(await bytes(from)).toEqual(TEXT.subarray(TEXT.length - 10));
    const last = await get({ range: 'bytes=-5' });
    expect(last.status).toBe(206);
    expect(last.headers.get('content-range')).toBe(
      `bytes ${TEXT.length - 5}-${TEXT.length - 1}/${TEXT.length}`,
    );
    expect(await bytes(last)).toEqual(TEXT.subarray(TEXT.length - 5));
  });

  it('refuses a range past the end with 416 and the size', async () => {
    const response = await get({ range: `bytes=${TEXT.length + 10}-` });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe(`bytes */${TEXT.length}`);
    expect((await bytes(response)).length).toBe(0);
  });

  it('sends the whole file for a malformed range, several ranges, or an If-Range', async () => {
    const asked: Record<string, string>[] = [
      { range: 'bytes=abc' },
      { range: 'bytes=0-9,20-29' },
      { range: 'bytes=0-9', 'if-range': 'Wed, 21 Oct 2015 07:28:00 GMT' },
    ];
    for (const headers of asked) {
      const response = await get(headers);
      expect(response.status).toBe(200);
      expect(await bytes(response)).toEqual(TEXT);
    }
  });

  it('still refuses a bad signature before looking at the range', async () => {
    const tampered = new URL(url);
    tampered.searchParams.set('sig', 'AAAA');
    const response = await fetch(tampered, { headers: { range: 'bytes=0-9' } });
    expect(response.status).toBe(403);
  });
});
