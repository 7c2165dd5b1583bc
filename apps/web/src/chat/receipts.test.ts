import { describe, expect, it } from 'vitest';
import { ADA, BEN, CHLOE, conversation, message } from '../test/fixtures';
import { mergeReceipt, readStatus } from './receipts';
import { typingText } from './typing-text';

describe('mergeReceipt', () => {
  it('only moves a watermark forward', () => {
    const at = new Date();
    const r = (lastReadSeq: number, lastDeliveredSeq = lastReadSeq) => ({
      userId: CHLOE,
      lastReadSeq,
      readAt: at,
      lastDeliveredSeq,
      deliveredAt: at,
    });
    const list = [r(5)];
    expect(mergeReceipt(list, r(3))).toBe(list);
    expect(mergeReceipt(list, r(7))).toEqual([r(7)]);
    // A delivered move alone is kept, and never lowers the read watermark.
    expect(mergeReceipt(list, r(4, 9))).toEqual([r(5, 9)]);
  });
});

describe('readStatus', () => {
  it('says Read in a 1:1 once the other watermark reaches the message', () => {
    const status = readStatus(conversation(), ADA, new Map([[CHLOE, { read: 4, delivered: 4 }]]));
    expect(status(message(4))).toBe('Read');
    expect(status(message(5))).toBe('Sent');
  });

  it('says Delivered in a 1:1 once the delivered watermark reaches the message', () => {
    const status = readStatus(conversation(), ADA, new Map([[CHLOE, { read: 2, delivered: 6 }]]));
    expect(status(message(2))).toBe('Read');
    expect(status(message(6))).toBe('Delivered');
    expect(status(message(7))).toBe('Sent');
  });

  it('ignores the sender’s own watermark', () => {
    const status = readStatus(conversation(), ADA, new Map([[ADA, { read: 9, delivered: 9 }]]));
    expect(status(message(4))).toBe('Sent');
  });

  it('counts readers in a group', () => {
    const group = conversation({
      kind: 'group',
      title: 'Tuesday circle',
      participants: [
        { userId: ADA, name: 'Ada Okafor', role: 'practitioner' },
        { userId: BEN, name: 'Ben Carter', role: 'practitioner' },
        { userId: CHLOE, name: 'Chloe Martin', role: 'client' },
      ],
    });
    const status = readStatus(
      group,
      ADA,
      new Map([
        [BEN, { read: 3, delivered: 6 }],
        [CHLOE, { read: 8, delivered: 8 }],
      ]),
    );
    expect(status(message(2))).toBe('Delivered to 2, read by 2');
    expect(status(message(5))).toBe('Delivered to 2, read by 1');
    expect(status(message(9))).toBe('Sent');
    const unread = readStatus(group, ADA, new Map([[BEN, { read: 0, delivered: 6 }]]));
    expect(unread(message(5))).toBe('Delivered to 1');
  });
});

it('typingText names one, two, or two and the rest', () => {
  expect(typingText([])).toBe('');
  expect(typingText(['Ada'])).toBe('Ada is typing…');
  expect(typingText(['Ada', 'Ben'])).toBe('Ada and Ben are typing…');
  expect(typingText(['Ada', 'Ben', 'Dev'])).toBe('Ada, Ben and 1 other are typing…');
  expect(typingText(['Ada', 'Ben', 'Dev', 'Emma'])).toBe('Ada, Ben and 2 others are typing…');
});
