import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Context } from '@estuary/api';
import type { RawData, WebSocket } from 'ws';

/**
 * What a kind of socket (lean tRPC, stock tRPC, legacy) does at the moments the sweep or the
 * socket decides. One object per kind, shared by all its sockets: no closure per socket.
 */
export interface SocketPolicy {
  /** The sweep found it still anonymous after `authTimeoutMs`. */
  authTimedOut?(connection: Connection): void;
  /** The sweep found its token expired. */
  expired(connection: Connection): void;
  /** Each frame, for a handler that reads them itself (it charges the flood budget too). */
  message?(connection: Connection, data: RawData, isBinary: boolean): void;
  closed?(connection: Connection): void;
  error?(connection: Connection, error: Error): void;
  /** The sweep pings a socket silent this long and cuts one that stays silent after. */
  keepAlive?: { pingMs: number; pongWaitMs: number };
  /** The handler calls `ws.send` itself (stock, legacy): route it through `write`. */
  wrapSend: boolean;
}

/** Where a socket (ws and net) keeps its Connection, for the shared listeners. */
export const CONNECTION = Symbol('connection');
export type Tagged = { [CONNECTION]?: Connection };

/** One socket's state beyond the protocol: who, until when, how much buffered, how chatty. */
export class Connection {
  ctx: Context | null = null;
  userId: string | null = null;
  expiresAt = Number.POSITIVE_INFINITY;
  /** Calls left this second; the sweep refills it. */
  budget: number;
  /** When the socket went over the backpressure mark (0: it is not). */
  backedUpSince = 0;
  waiters: (() => void)[] | null = null;
  heardAt: number;
  pingedAt = 0;
  corked = false;
  /** The protocol handler's own per-socket state. */
  session: unknown = null;

  constructor(
    readonly ws: WebSocket,
    readonly socket: Socket,
    readonly req: IncomingMessage,
    readonly policy: SocketPolicy,
    readonly address: string,
    public openedAt: number,
    budget: number,
  ) {
    this.budget = budget;
    this.heardAt = openedAt;
  }
}

/** Close codes in the 4000-4999 range are ours; clients reconnect on all of them. */
export const CLOSE = {
  /** No valid token (at connect, or it expired): get a fresh one and reconnect. */
  unauthorized: 4001,
  slowConsumer: 4008,
  flood: 4009,
  /** This user holds too many sockets on this node. */
  tooManySockets: 4029,
} as const;

/**
 * How many calls a text frame carries: tRPC batches several into one JSON array, and a
 * limit that counted frames would let one frame carry hundreds. Only arrays are parsed.
 */
export function callsIn(data: RawData): number {
  const buffer = Array.isArray(data)
    ? Buffer.concat(data)
    : Buffer.isBuffer(data)
      ? data
      : Buffer.from(data);
  let i = 0;
  while (
    i < buffer.length &&
    (buffer[i] === 0x20 || buffer[i] === 0x0a || buffer[i] === 0x0d || buffer[i] === 0x09)
  )
    i++;
  if (buffer[i] !== 0x5b /* [ */) return 1;
  try {
    const parsed: unknown = JSON.parse(buffer.toString('utf8'));
    return Array.isArray(parsed) ? Math.max(1, parsed.length) : 1;
  } catch {
    return 1;
  }
}
