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
  /** Frames a client may send per second, sustained; bursts of twice that are fine. */
  maxFramesPerSecond: number;
}

interface Connection {
  ws: WebSocket;
  ctx: Context | null;
  userId: string | null;
  expiry: NodeJS.Timeout | null;
  stall: NodeJS.Timeout | null;
  waiters: (() => void)[];
}

/** Close codes in the 4000-4999 range are ours; clients reconnect on all of them. */
export const CLOSE = {
  /** No valid token (at connect, or it expired): get a fresh one and reconnect. */
  unauthorized: 4001,
  slowConsumer: 4008,
  flood: 4009,
} as const;

/**
 * What the ws process knows about each socket beyond tRPC: who it belongs to (presence),
 * when its token runs out, how much it has buffered and how fast it talks.
 */
export class Connections {
  private readonly all = new Map<WebSocket, Connection>();

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

  /** Runs before tRPC sees the socket. */
  accept(ws: WebSocket, req: IncomingMessage) {
    const connection: Connection = {
      ws,
      ctx: null,
      userId: null,
      expiry: null,
      stall: null,
      waiters: [],
    };
    this.all.set(ws, connection);
    this.guardSends(connection, req.socket);
    this.guardFlood(ws);
    req.socket.on('drain', () => this.release(connection));
    ws.once('close', () => {
      this.all.delete(ws);
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
    ws.on('message', () => {
      this.metrics.framesIn.inc();
      const now = Date.now();
      tokens = Math.min(rate * 2, tokens + ((now - at) / 1000) * rate);
      at = now;
      if (--tokens < 0) {
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
