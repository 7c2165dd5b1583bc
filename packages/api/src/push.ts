import type { Drain } from './backpressure';

/**
 * The push form of a subscription. A subscription that has one returns its async generator
 * (what tRPC's adapters, server-side callers and tests iterate) with `[PUSH]` beside it; a
 * transport that writes frames itself (apps/ws's lean handler) calls that instead of
 * iterating, and the stream hands each value straight to `sink.data`: no promise and no
 * generator step per delivery. Stopping is the procedure's abort signal, as for the generator.
 */
export const PUSH: unique symbol = Symbol.for('estuary.push');

export interface PushSink<T> {
  /** One value (one frame). Never called after `end`. */
  data(value: T): void;
  /** Called once: without an error when the stream stopped (its signal aborted), else why it failed. */
  end(error?: unknown): void;
  /**
   * The transport's backpressure (./backpressure): undefined while it can take more. When it
   * cannot, a live stream stops writing and, once it resolves, resumes from the event log.
   */
  drain: Drain;
}

export type Pushable<T> = AsyncGenerator<T> & { [PUSH](sink: PushSink<T>): void };

export function isPushable<T>(value: unknown): value is Pushable<T> {
  return typeof (value as Partial<Pushable<T>> | null)?.[PUSH] === 'function';
}
