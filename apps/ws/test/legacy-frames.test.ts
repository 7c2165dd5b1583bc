import { randomUUID } from 'node:crypto';
import type { Message } from '@estuary/api';
import { describe, expect, it } from 'vitest';
import { attachmentIdsOf, incomingFrame, messageFrames } from '../src/legacy/frames';

const message = (attachments: Message['attachments']): Message => ({
  id: randomUUID(),
  conversationId: randomUUID(),
  seq: 1,
  senderId: randomUUID(),
  senderName: 'Ada',
  clientId: randomUUID(),
  content: 'The worksheet',
  replyToId: null,
  createdAt: new Date('2026-12-01T10:00:00Z'),
  editedAt: null,
  deletedAt: null,
  kind: 'user',
  reactions: [],
  replyTo: null,
  attachments,
});

describe('the old protocol and attachments', () => {
  it('lists a message’s attachments as the old chat did, and null when it has none', () => {
    const pdf = {
      id: randomUUID(),
      name: 'worksheet.pdf',
      contentType: 'application/pdf',
      size: 1234,
      width: null,
      height: null,
      url: 'http://localhost:3000/api/attachments/x/file?sig=y',
      thumbnailUrl: null,
    };
    const [withFile] = messageFrames({ type: 'message.created', message: message([pdf]) });
    expect(withFile).toMatchObject({
      type: 'chat_message',
      attachments: [
        {
          id: pdf.id,
          name: 'worksheet.pdf',
          url: pdf.url,
          content_type: 'application/pdf',
          size: 1234,
        },
      ],
    });
    const [plain] = messageFrames({ type: 'message.created', message: message([]) });
    expect(plain).toMatchObject({ attachments: null });
  });

  it('takes attachment ids from an old client as strings or { id } objects, at most 10', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const frame = incomingFrame.parse({
      type: 'chat_message',
      content: '',
      attachments: [a, { id: b, name: 'ignored' }],
    });
    if (frame.type !== 'chat_message') throw new Error('not a chat message');
    expect(attachmentIdsOf(frame.attachments)).toEqual([a, b]);
    expect(
      incomingFrame.safeParse({ type: 'chat_message', content: 'x', attachments: ['nope'] })
        .success,
    ).toBe(false);
    const eleven = Array.from({ length: 11 }, () => randomUUID());
    expect(
      incomingFrame.safeParse({ type: 'chat_message', content: 'x', attachments: eleven }).success,
    ).toBe(false);
    expect(attachmentIdsOf(null)).toEqual([]);
  });
});
