import { describe, expect, it } from 'vitest';
import { snippet } from './snippet';

describe('snippet', () => {
  it('marks the highlighted words and keeps the rest as text', () => {
    expect(snippet('Try the breathing exercise', [{ start: 8, end: 17 }])).toEqual([
      { text: 'Try the ', mark: false },
      { text: 'breathing', mark: true },
      { text: ' exercise', mark: false },
    ]);
  });

  it('cuts long text around the first match, and ignores bad offsets', () => {
    const content = `${'a '.repeat(200)}target${' b'.repeat(200)}`;
    const start = content.indexOf('target');
    const parts = snippet(
      content,
      [
        { start, end: start + 6 },
        { start: -1, end: 9_999 },
      ],
      60,
    );
    expect(parts[0]).toEqual({ text: '…', mark: false });
    expect(parts.at(-1)).toEqual({ text: '…', mark: false });
    expect(parts.filter((p) => p.mark).map((p) => p.text)).toEqual(['target']);
    expect(parts.map((p) => p.text).join('').length).toBeLessThanOrEqual(62);
  });

  it('treats markup in messages as text', () => {
    expect(snippet('<b>bold</b>', [{ start: 3, end: 7 }])).toEqual([
      { text: '<b>', mark: false },
      { text: 'bold', mark: true },
      { text: '</b>', mark: false },
    ]);
  });
});
