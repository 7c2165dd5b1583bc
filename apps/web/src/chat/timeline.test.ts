import { describe, expect, it } from 'vitest';
import { message } from '../test/fixtures';
import { lastSeq, mergeMessages, upsertMessage } from './timeline';

const edited = (seq: number, minute: number, content: string) =>
  message(seq, { content, editedAt: new Date(Date.UTC(2030, 0, 1, 11, minute)) });
const deleted = (seq: number) =>
  message(seq, { content: '', deletedAt: new Date(Date.UTC(2030, 0, 1, 12)) });

describe('mergeMessages', () => {
  it('orders by seq and keeps one copy of each message across overlapping sources', () => {
    const olderPage = [message(1), message(2), message(3)];
    const newestPage = [message(3), message(4)];
    const live = [message(4), message(5)];
    const merged = mergeMessages(newestPage, live, olderPage);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps the most advanced version whatever the arrival order', () => {
    const versions = [message(1), edited(1, 1, 'first edit'), edited(1, 2, 'second edit')];
    for (const order of [
      versions,
      [...versions].reverse(),
      [versions[1], versions[2], versions[0]],
    ]) {
      const [only] = mergeMessages(order as typeof versions);
      expect(only?.content).toBe('second edit');
    }
  });

  it('lets a delete win over any edit, even one that arrives later', () => {
    const [only] = mergeMessages([deleted(1)], [edited(1, 59, 'late edit')]);
    expect(only?.deletedAt).not.toBeNull();
    expect(only?.content).toBe('');
  });
});

describe('upsertMessage', () => {
  it('appends a new message in seq order', () => {
    const list = upsertMessage([message(1), message(3)], message(2));
    expect(list.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('ignores a replayed event it already has, returning the same list', () => {
    const list = [message(1), message(2)];
    expect(upsertMessage(list, message(2))).toBe(list);
  });

  it('replaces a message with its edit in place', () => {
    const list = upsertMessage([message(1), message(2)], edited(1, 5, 'fixed'));
    expect(list.map((m) => m.content)).toEqual(['fixed', 'message 2']);
  });

  it('does not let a stale created copy undo a delete', () => {
    const list = [deleted(1)];
    expect(upsertMessage(list, message(1))).toBe(list);
  });
});

it('lastSeq is the newest seq, or 0 for an empty list', () => {
  expect(lastSeq([])).toBe(0);
  expect(lastSeq([message(1), message(7)])).toBe(7);
});
