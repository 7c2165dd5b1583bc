import type { WindowSpec } from './measure';

export interface Mode {
  name: 'quick' | 'full' | 'custom';
  /** Connection counts to step through (multiples of 20, the layout's block). */
  steps: number[];
  /** Messages per second per conversation during the connection steps. */
  stepRatePerRoom: number;
  window: Omit<WindowSpec, 'ratePerRoom'>;
  ramp: {
    /** First offered rate, per conversation (= deliveries/s per connection). */
    start: number;
    factor: number;
    maxSteps: number;
    /** After the first overloaded window, one more between it and the last good one. */
    refine: boolean;
    /** A window whose p99 passes this counts as exploded. */
    p99LimitMs: number;
  };
  /** How long to let a backlogged server drain before the ramp and the half-rate window. */
  drainQuietMs: number;
  /** How long priming (every member saw a message) may take after a connection step. */
  primeMs: number;
  /** Wall-clock budget per target, after which the ramp stops where it is. */
  targetBudgetMs: number;
  connectConcurrency: number;
}

/**
 * Per-member send rate ceiling: the ws server cuts a socket past 100 frames/s (burst 200),
 * so no target is offered more than this per sending connection.
 */
export const MAX_SENDS_PER_MEMBER = 50;
/** With 1:1 rooms in the mix, a room's rate may be at most twice the member ceiling. */
export const MAX_RATE_PER_ROOM = 2 * MAX_SENDS_PER_MEMBER;

export const QUICK: Mode = {
  name: 'quick',
  steps: [200, 1000],
  stepRatePerRoom: 0.5,
  // Short windows keep a four-target run under three minutes even on a loaded box.
  window: { warmupMs: 400, windowMs: 1_500, drainMs: 1_000 },
  ramp: { start: 1, factor: 3, maxSteps: 5, refine: true, p99LimitMs: 1_000 },
  drainQuietMs: 10_000,
  primeMs: 20_000,
  targetBudgetMs: 40_000,
  connectConcurrency: 100,
};

export const FULL: Mode = {
  name: 'full',
  steps: [1000, 2000, 5000, 10000],
  stepRatePerRoom: 0.5,
  window: { warmupMs: 1_000, windowMs: 5_000, drainMs: 5_000 },
  ramp: { start: 0.25, factor: 1.5, maxSteps: 14, refine: true, p99LimitMs: 1_000 },
  drainQuietMs: 60_000,
  primeMs: 60_000,
  targetBudgetMs: 300_000,
  connectConcurrency: 100,
};
