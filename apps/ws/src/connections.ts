import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Context } from '@estuary/api';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { Metrics } from './metrics';

export interface ConnectionLimits {
  /** Above this many unsent bytes, subscriptions pause until the socket drains. */
  backpressureBytes: number;
  /** Hard cap: a socket past it is cut at once. */
  maxBufferedBytes: number;
  /** A socket that stays above `backpressureBytes` this long is a slow consumer, and is cut. */
  stallMs: number;
  /**
   * Calls a client may send per second, sustained; bursts of twice that are fine. Each call
   * in a batched frame counts.
   */
  maxFramesPerSecond: number;
  /** A socket that has not authenticated this long after opening is closed. */
  authTimeoutMs?: number;
  /** Open sockets per remote address; 0 for no cap (behind a proxy every socket shares one). */
  maxConnectionsPerAddress?: number;
  /** Open sockets per user on this process. */
  maxSocketsPerUser?: number;
}

interface Connection {
  ws: WebSocket;
  ctx: Context | null;
  userId: string | null;
  expiry: NodeJS.Timeout | null;
  stall: NodeJS.Timeout | null;
  waiters: (() => void)[];
  address: string;
  authTimer: NodeJS.Timeout | null;
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
 * What the ws process knows about each socket beyond tRPC: who it belongs to (presence),
 * when its token runs out, how much it has buffered and how fast it talks.
 */
export class Connections {
  private readonly all = new Map<WebSocket, Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly perUser = new Map<string, number>();

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly presence: {
      connected(id: string): void;
      disconnected(id: string): void;
    } | null,
  ) {}

  get size() {
    return this.all.size;
  }

  subscriptions(): number {
    let n = 0;
    for (const c of this.all.values()) n += c.ctx?.connection?.subscriptions ?? 0;
    return n;
  }

  /** Whether another socket from this address may open (checked at upgrade). */
  admits(address: string): boolean {
    const cap = this.limits.maxConnectionsPerAddress ?? 0;
    return cap <= 0 || (this.perAddress.get(address) ?? 0) < cap;
  }

  /** Whether this user may hold one more socket here. */
  admitsUser(userId: string): boolean {
    const cap = this.limits.maxSocketsPerUser ?? 0;
    return cap <= 0 || (this.perUser.get(userId) ?? 0) < cap;
  }

  /** Runs before tRPC sees the socket. */
  accept(ws: WebSocket, req: IncomingMessage, onAuthTimeout?: () => void) {
    const address = req.socket.remoteAddress ?? '';
    const connection: Connection = {
      ws,
      ctx: null,
      userId: null,
      expiry: null,
      stall: null,
      waiters: [],
      address,
      authTimer: null,
    };
    this.all.set(ws, connection);
    count(this.perAddress, address, +1);
    // A socket must say who it is promptly; one that never does would be held for ever.
    if (this.limits.authTimeoutMs && onAuthTimeout) {
      connection.authTimer = setTimeout(() => {
        connection.authTimer = null;
        if (!connection.userId) onAuthTimeout();
      }, this.limits.authTimeoutMs);
    }
    this.guardSends(connection, req.socket);
    this.guardFlood(ws);
    req.socket.on('drain', () => this.release(connection));
    ws.once('close', () => {
      this.all.delete(ws);
      count(this.perAddress, address, -1);
      if (connection.userId) count(this.perUser, connection.userId, -1);
      if (connection.authTimer) clearTimeout(connection.authTimer);
      if (connection.expiry) clearTimeout(connection.expiry);
      if (connection.stall) clearTimeout(connection.stall);
      for (const wake of connection.waiters.splice(0)) wake();
      if (connection.userId) this.presence?.disconnected(connection.userId);
    });
  }

  /** Called once the socket's context (its user) is known. */
  authenticated(ws: WebSocket, ctx: Context, onExpiry: () => void) {
    const connection = this.all.get(ws);
    if (!connection || !ctx.auth.ok) return;
    connection.ctx = ctx;
    connection.userId = ctx.auth.user.id;
    count(this.perUser, connection.userId, +1);
    if (connection.authTimer) clearTimeout(connection.authTimer);
    connection.authTimer = null;
    if (ctx.connection) ctx.connection.drain = () => this.drain(connection);
    this.presence?.connected(connection.userId);
    const ms = ctx.auth.expiresAt.getTime() - Date.now();
    connection.expiry = setTimeout(onExpiry, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
  }

  /** Backpressure for subscriptions: undefined when the socket can take more. */
  private drain(connection: Connection): Promise<void> | undefined {
    if (connection.ws.bufferedAmount <= this.limits.backpressureBytes) return undefined;
    connection.stall ??= setTimeout(() => {
      connection.stall = null;
      if (connection.ws.bufferedAmount > this.limits.backpressureBytes) this.cut(connection);
      else this.release(connection);
    }, this.limits.stallMs);
    return new Promise((resolve) => connection.waiters.push(resolve));
  }

  private release(connection: Connection) {
    if (connection.ws.bufferedAmount > this.limits.backpressureBytes) return;
    if (connection.stall) clearTimeout(connection.stall);
    connection.stall = null;
    for (const wake of connection.waiters.splice(0)) wake();
  }

  /** A reader that stopped reading: drop it; its client reconnects and resumes from lastEventId. */
  private cut(connection: Connection) {
    this.metrics.slowConsumers.inc();
    this.log.warn(
      { userId: connection.userId, buffered: connection.ws.bufferedAmount },
      'slow consumer disconnected',
    );
    connection.ws.terminate();
  }

  /**
   * Every frame tRPC sends passes here. Frames written in the same tick leave in one
   * syscall (cork), and a socket past the hard cap is cut before its buffer grows further.
   */
  private guardSends(connection: Connection, socket: Socket) {
    const { ws } = connection;
    const send = ws.send.bind(ws) as (data: unknown, cb?: (err?: Error) => void) => void;
    let corked = false;
    ws.send = ((data: unknown, ...rest: unknown[]) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > this.limits.maxBufferedBytes) return this.cut(connection);
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(() => {
          corked = false;
          socket.uncork();
        });
      }
      this.metrics.framesOut.inc();
      send(data, ...(rest as []));
    }) as typeof ws.send;
  }

  private guardFlood(ws: WebSocket) {
    const rate = this.limits.maxFramesPerSecond;
    let tokens = rate * 2;
    let at = Date.now();
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      this.metrics.framesIn.inc();
      const now = Date.now();
      tokens = Math.min(rate * 2, tokens + ((now - at) / 1000) * rate);
      at = now;
      tokens -= isBinary ? 1 : callsIn(data);
      if (tokens < 0) {
        this.metrics.refused.inc({ reason: 'flood' });
        ws.close(CLOSE.flood, 'Too many frames');
      }
    });
  }

  /** Graceful shutdown: close what is left. */
  closeAll(code: number, reason: string) {
    for (const { ws } of this.all.values()) ws.close(code, reason);
  }

  terminateAll() {
    for (const { ws } of this.all.values()) ws.terminate();
  }
}

function count(map: Map<string, number>, key: string, delta: number) {
  const n = (map.get(key) ?? 0) + delta;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}

/**
 * How many calls a text frame carries: tRPC batches several into one JSON array, and a
 * limit that counted frames would let one frame carry hundreds. Only arrays are parsed.
 */
export function callsIn(data: Buffer | ArrayBuffer | Buffer[]): number {
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
