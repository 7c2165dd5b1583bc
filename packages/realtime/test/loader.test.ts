import { describe, expect, it } from 'vitest';
import { createLoader } from '../src';

describe('createLoader', () => {
  it('gathers lookups close together into one call of their distinct keys', async () => {
    const calls: string[][] = [];
    const loader = createLoader(async (keys: string[]) => {
      calls.push(keys);
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.toUpperCase()]));
    });
    const values = await Promise.all(['a', 'b', 'a', 'missing'].map((k) => loader.load(k)));
    expect(values).toEqual(['A', 'B', 'A', undefined]);
    expect(calls).toEqual([['a', 'b', 'missing']]);
    // Later lookups are a batch of their own, with their own answers.
    expect(await Promise.all([loader.load('c'), loader.load('a')])).toEqual(['C', 'A']);
    expect(calls).toHaveLength(2);
  });

  it('fails every lookup of a failed batch, and recovers for the next', async () => {
    let fail = true;
    const loader = createLoader(async (keys: string[]) => {
      if (fail) throw new Error('down');
      return new Map(keys.map((k) => [k, 1]));
    });
    const results = await Promise.allSettled([loader.load('x'), loader.load('y')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await loader.load('x')).toBe(1);
  });
});
