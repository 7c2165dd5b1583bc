import { describe, expect, it } from 'vitest';
import { staleHeldFiles } from '../attachments/held-files';
import { entriesHoldingFiles } from './outbox-storage';

/** An in-memory Storage, as localStorage behaves (the browser's own runs in the e2e suite). */
function storage(items: Record<string, string>): Storage {
  const map = new Map(Object.entries(items));
  return {
    get length() {
      return map.size;
    },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
    clear: () => map.clear(),
  };
}

describe('held files kept for queued messages', () => {
  it("counts every user's entries that still wait for their files, and nothing else", () => {
    const held = entriesHoldingFiles(
      storage({
        'estuary.outbox.ada': JSON.stringify([
          { clientId: 'a1', heldFiles: 1 },
          { clientId: 'a2', attachmentIds: ['x'] },
        ]),
        // Chloe's session ended without a sign-out: her queued file waits for her.
        'estuary.outbox.chloe': JSON.stringify([{ clientId: 'c1', heldFiles: 2 }]),
        'something.else': JSON.stringify([{ clientId: 'z', heldFiles: 1 }]),
      }),
    );
    expect(held && [...held].sort()).toEqual(['a1', 'c1']);
  });

  it('judges nothing stale when the outbox cannot be read', () => {
    expect(entriesHoldingFiles(storage({ 'estuary.outbox.ada': '{not json' }))).toBeNull();
  });

  it('removes only files no entry waits for and this tab does not hold', () => {
    const stale = staleHeldFiles(
      ['a1', 'gone', 'fresh'],
      new Set(['a1']),
      new Map([['fresh', []]]),
    );
    expect(stale).toEqual(['gone']);
  });
});
