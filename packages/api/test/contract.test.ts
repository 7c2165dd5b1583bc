import { describe, expect, it } from 'vitest';
import { appRouter } from '../src';
import { contractFiles, proceduresIn } from './procedures';

const procedures = appRouter._def.procedures as unknown as Record<
  string,
  { _def: { type: string } }
>;

describe('the router contract (API.md)', () => {
  const files = contractFiles();

  it('has a contract document to check against', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(`implements every procedure listed in ${file.split('/').slice(-2).join('/')}, with its kind`, () => {
      const listed = proceduresIn(file);
      expect(listed.size).toBeGreaterThanOrEqual(25);
      const missing = [...listed.keys()].filter((name) => !procedures[name]);
      expect(missing).toEqual([]);
      for (const [name, kind] of listed)
        expect(`${name}: ${procedures[name]?._def.type}`).toBe(`${name}: ${kind}`);
    });
  }

  it('the committed copy lists the same procedures as the steering copy', () => {
    const lists = files.map((file) => [...proceduresIn(file).entries()].sort());
    for (const list of lists) expect(list).toEqual(lists[0]);
  });
});
