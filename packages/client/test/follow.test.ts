import type { MessageEvent } from '@estuary/api';
import { STALE_EVENT_ID } from '@estuary/api/client-constants';
import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { backoffDelay, type EventStreamClient, followEvents, STEADY_MS } from '../src/follow';

// The resume loop alone, against a scripted stream: each test plays the server's side
// (data, an error, the end) and reads what the loop asked for next. Waiting is injected, so
// the delays are read, never waited for.

interface Subscription {
  lastEventId: string | null;
  unsubscribed: boolean;
  data(id: string, count?: number): void;
  error(error: unknown): void;
  complete(): void;
}

function scriptedStream() {
  const subscriptions: Subscription[] = [];
  const waiting: ((s: Subscription) => void)[] = [];
  const client = {
    message: {
      onEvents: {
        subscribe(
          input: { lastEventId?: string | null },
          observer: {
            onData(value: { id: string; data: { events: MessageEvent[] } }): void;
            onError(error: unknown): void;
            onComplete(): void;
          },
        ) {
          const s: Subscription = {
            lastEventId: input.lastEventId ?? null,
            unsubscribed: false,
            data: (id, count = 1) =>
              observer.onData({ id, data: { events: Array.from({ length: count }, event) } }),
            error: (error) => observer.onError(error),
            complete: () => observer.onComplete(),
          };
          subscriptions.push(s);
          waiting.shift()?.(s);
          return {
            unsubscribe() {
              s.unsubscribed = true;
            },
          };
        },
      },
    },
  } as unknown as EventStreamClient;
  let taken = 0;
  /** The next subscription the loop opens (waits for it). */
  const next = () =>
    new Promise<Subscription>((resolve) => {
      const s = subscriptions[taken];
      if (s) resolve(s);
      else waiting.push(resolve);
      taken++;
    });
  return { client, subscriptions, next };
}

const event = () => ({ type: 'message.created' }) as unknown as MessageEvent;

/** An error as the tRPC client reports a server's answer. */
const serverError = (code: string, reason?: string) =>
  new TRPCClientError(code, {
    result: { error: { code: -32600, message: code, data: { code, reason } } },
  } as never);

/** A sleep that records each delay and returns at once; `hold` keeps one pending. */
function recordedSleep() {
  const delays: number[] = [];
  const signals: AbortSignal[] = [];
  return {
    delays,
    signals,
    sleep: async (ms: number, signal: AbortSignal) => {
      delays.push(ms);
      signals.push(signal);
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));
const exactBackoff = (attempt: number) => backoffDelay(attempt, () => 0);

describe('followEvents', () => {
  it('resumes from the last event id it saw, with ids for each batch', async () => {
    const stream = scriptedStream();
    const waits = recordedSleep();
    const seen: [number, string][] = [];
    const follow = followEvents(stream.client, {
      conversationId: 'c',
      lastEventId: '5',
      refetch: async () => {
        throw new Error('no refetch expected');
      },
      onEvents: (events, id) => seen.push([events.length, id]),
      sleep: waits.sleep,
    });
    const first = await stream.next();
    expect(first.lastEventId).toBe('5');
    first.data('7', 2);
    first.data('8');
    expect(seen).toEqual([
      [2, '7'],
      [1, '8'],
    ]);
    expect(follow.lastEventId).toBe('8');
    first.complete();
    const second = await stream.next();
    expect(first.unsubscribed).toBe(true);
    expect(second.lastEventId).toBe('8');
    // The first restart after data is immediate.
    expect(waits.delays).toEqual([0]);
    follow.close();
    expect(second.unsubscribed).toBe(true);
  });

  it('fetches history first without an id, and again when the server calls the id stale', async () => {
    const stream = scriptedStream();
    const waits = recordedSleep();
    const heads = ['10', '20'];
    let refetches = 0;
    const follow = followEvents(stream.client, {
      conversationId: 'c',
      lastEventId: null,
      refetch: async () => heads[refetches++] ?? 'unexpected',
      onEvents: () => {},
      sleep: waits.sleep,
    });
    const first = await stream.next();
    expect(refetches).toBe(1);
    expect(first.lastEventId).toBe('10');
    first.error(serverError('BAD_REQUEST', STALE_EVENT_ID));
    const second = await stream.next();
    expect(refetches).toBe(2);
    expect(second.lastEventId).toBe('20');
    expect(follow.lastEventId).toBe('20');
    follow.close();
  });

  it('retries a failed refetch with backoff, then streams from what it returns', async () => {
    const stream = scriptedStream();
    const waits = recordedSleep();
    let refetches = 0;
    const follow = followEvents(stream.client, {
      conversationId: 'c',
      lastEventId: null,
      refetch: async () => {
        if (++refetches < 3) throw new Error('network down');
        return '3';
      },
      onEvents: () => {},
      retryDelayMs: exactBackoff,
      sleep: waits.sleep,
    });
    expect((await stream.next()).lastEventId).toBe('3');
    expect(waits.delays).toEqual([0, 1_000]);
    follow.close();
  });

  for (const code of ['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND']) {
    it(`stops on ${code} and says so once`, async () => {
      const stream = scriptedStream();
      const waits = recordedSleep();
      const fatal: Error[] = [];
      followEvents(stream.client, {
        conversationId: 'c',
        lastEventId: '1',
        refetch: async () => '1',
        onEvents: () => {},
        onFatal: (error) => fatal.push(error),
        sleep: waits.sleep,
      });
      (await stream.next()).error(serverError(code));
      await settle();
      await settle();
      expect(fatal.map((e) => e.message)).toEqual([code]);
      expect(stream.subscriptions).toHaveLength(1);
      expect(waits.delays).toEqual([]);
    });
  }

  it('retries other failures with 0, 1, 2, 4, 8 s, then 10 s, and starts over after data', async () => {
    const stream = scriptedStream();
    const waits = recordedSleep();
    const fatal: Error[] = [];
    let clock = 0;
    const follow = followEvents(stream.client, {
      conversationId: 'c',
      lastEventId: '1',
      refetch: async () => '1',
      onEvents: () => {},
      onFatal: (error) => fatal.push(error),
      retryDelayMs: exactBackoff,
      sleep: waits.sleep,
      now: () => clock,
    });
    const failures = [
      new Error('socket closed'),
      serverError('TOO_MANY_REQUESTS'),
      serverError('INTERNAL_SERVER_ERROR'),
      new Error('socket closed'),
      new Error('socket closed'),
      new Error('socket closed'),
    ];
    for (const failure of failures) (await stream.next()).error(failure);
    const resumed = await stream.next();
    expect(waits.delays).toEqual([0, 1_000, 2_000, 4_000, 8_000, 10_000]);
    resumed.data('2');
    clock += STEADY_MS;
    resumed.complete();
    expect((await stream.next()).lastEventId).toBe('2');
    expect(waits.delays.at(-1)).toBe(0);
    expect(fatal).toEqual([]);
    follow.close();
    expect(waits.signals.every((s) => s.aborted)).toBe(true);
  });

  it('keeps backing off from a stream that fails soon after each replay, data or not', async () => {
    const stream = scriptedStream();
    const waits = recordedSleep();
    const follow = followEvents(stream.client, {
      conversationId: 'c',
      lastEventId: '1',
      refetch: async () => '1',
      onEvents: () => {},
      retryDelayMs: exactBackoff,
      sleep: waits.sleep,
      now: () => 0,
    });
    for (let i = 2; i < 6; i++) {
      const s = await stream.next();
      s.data(String(i));
      s.error(serverError('INTERNAL_SERVER_ERROR'));
    }
    await stream.next();
    expect(waits.delays).toEqual([0, 1_000, 2_000, 4_000]);
    follow.close();
  });

  it('opens nothing more once closed, even if a stream ends afterwards', async () => {
    const stream = scriptedStream();
    const waits = recordedSleep();
    const follow = followEvents(stream.client, {
      conversationId: 'c',
      lastEventId: '1',
      refetch: async () => '1',
      onEvents: () => {},
      sleep: waits.sleep,
    });
    const only = await stream.next();
    follow.close();
    only.complete();
    await settle();
    expect(stream.subscriptions).toHaveLength(1);
    expect(waits.delays).toEqual([]);
  });
});

describe('backoffDelay', () => {
  it('is immediate first, then doubles from 1 s to a 10 s cap, jittered down by a quarter at most', () => {
    const attempts = [0, 1, 2, 3, 4, 5, 6, 20];
    expect(attempts.map((n) => backoffDelay(n, () => 0))).toEqual([
      0, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000,
    ]);
    expect(attempts.map((n) => backoffDelay(n, () => 1))).toEqual([
      0, 750, 1_500, 3_000, 6_000, 7_500, 7_500, 7_500,
    ]);
  });
});
