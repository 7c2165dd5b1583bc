import { describe, expect, it } from 'vitest';
import { Gate } from '../src/live/gate';

describe('Gate (one replay page per socket at a time)', () => {
  it('lets one holder in at a time, in arrival order', async () => {
    const gate = new Gate();
    const order: string[] = [];
    const first = await gate.acquire();
    const second = gate.acquire().then((release) => {
      order.push('second');
      return release;
    });
    const third = gate.acquire().then((release) => {
      order.push('third');
      release();
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    first();
    first(); // releasing twice is harmless
    const releaseSecond = await second;
    expect(order).toEqual(['second']);
    releaseSecond();
    await third;
    expect(order).toEqual(['second', 'third']);
    // Free again.
    (await gate.acquire())();
  });

  it('drops a waiter whose signal aborts, without blocking the ones behind it', async () => {
    const gate = new Gate();
    const held = await gate.acquire();
    const abort = new AbortController();
    const gone = gate.acquire(abort.signal);
    const next = gate.acquire();
    abort.abort();
    await expect(gone).rejects.toBeDefined();
    held();
    (await next)();
  });
});
