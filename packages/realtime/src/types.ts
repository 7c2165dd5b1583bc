/**
 * Yielded to subscribers when the bus may have dropped messages (a reconnect, an outage, a
 * full queue). The bus is only a fast path: a consumer that sees GAP re-reads Postgres.
 */
export const GAP: unique symbol = Symbol('estuary.bus.gap');
export type Gap = typeof GAP;

export type Listener = (payload: unknown) => void;

export interface SubscribeOptions {
  signal: AbortSignal;
  /** Events buffered for a slow consumer before they are dropped for a GAP. */
  maxQueue?: number;
}

export interface BusHealth {
  ok: boolean;
  detail: string;
}

export interface Bus {
  readonly kind: 'memory' | 'postgres' | 'redis';
  /** Delivers to this process's subscribers at once, then to the other processes. */
  publish(topic: string, payload: unknown): Promise<void>;
  /** Every payload published on `topic` from now on, or GAP, until `signal` aborts. */
  subscribe<T>(topic: string, options: SubscribeOptions): AsyncIterable<T | Gap>;
  /** The callback form behind `subscribe`: cheaper for per-process fan-out. Returns unlisten. */
  listen(topic: string, listener: Listener): () => void;
  /** Listeners of `topic` in this process (metrics, and tests waiting for a subscriber). */
  listenerCount(topic: string): number;
  /** Whether the bus reaches its peers now. Used by readiness checks. */
  check(): Promise<BusHealth>;
  close(): Promise<void>;
}

export interface BusOptions {
  /** Identifies this process, so it can skip its own messages coming back. */
  nodeId?: string;
  /** Called with the publish-to-deliver delay of every message from another process. */
  onRemoteDelivery?: (lagMs: number) => void;
  /** While the bus is cut off, GAP is sent this often, so consumers keep polling Postgres. */
  degradedGapIntervalMs?: number;
  log?: (
    level: 'info' | 'warn' | 'error',
    message: string,
    extra?: Record<string, unknown>,
  ) => void;
}
