/** The IPC between the orchestrator and a load generator process. */

/** `trpcBatch`: tRPC, subscribed to message.onEvents (several events per frame under load). */
export type Protocol = 'raw' | 'socketio' | 'trpc' | 'trpcBatch';

export interface RoomSpec {
  id: string;
  /** One entry per member connection: its token, or '' where the target needs none. */
  tokens: string[];
}

export type Command =
  | { cmd: 'connect'; protocol: Protocol; url: string; rooms: RoomSpec[]; concurrency: number }
  | { cmd: 'prime'; timeoutMs: number }
  | { cmd: 'start'; ratePerRoom: number }
  | { cmd: 'mark' }
  | { cmd: 'stop'; drainMs: number }
  | { cmd: 'close' };

export interface ConnectResult {
  connected: number;
  failed: number;
  errors: string[];
  ms: number;
}

export interface PrimeResult {
  primed: number;
  unprimed: number;
  ms: number;
}

export interface WindowResult {
  windowMs: number;
  /** Messages sent inside the window, and their deliveries expected (one per member). */
  sent: number;
  expected: number;
  /** Deliveries of window messages received by the end of the drain. */
  received: number;
  /** Every delivery that arrived during the window, whenever it was sent. */
  deliveriesInWindow: number;
  acks: number;
  errors: number;
  errorSamples: string[];
  disconnects: number;
  closeCodes: Record<string, number>;
  /** Encoded HDR histograms (µs): send-to-deliver overall and by room size, send-to-ack. */
  latency: string;
  latencyByRoomSize: Record<string, string>;
  ack: string;
  /** How late the sender loop ran behind its schedule at worst (ms): loadgen saturation. */
  maxSendLagMs: number;
  /** This process's CPU use during the window, in % of one core. */
  cpuPct: number;
}

export type Reply =
  | { ok: true; id: number; result: unknown }
  | { ok: false; id: number; error: string };
