import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Context } from '@estuary/api';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import {
  CLOSE,
  CONNECTION,
  Connection,
  callsIn,
  type SocketPolicy,
  type Tagged,
} from './connection';
import type { Metrics } from './metrics';

export { CLOSE, Connection, callsIn, type SocketPolicy } from './connection';

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

/**
 * What the ws process knows about each socket beyond tRPC: who it belongs to (presence),
 * when its token runs out, how much it has buffered and how fast it talks. Timers are not
 * per socket: one sweep a second pings, expires, refills flood budgets and cuts stalls.
 */
export class Connections {
  private readonly all = new Set<Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly perUser = new Map<string, number>();
  private readonly toUncork: Connection[] = [];
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly presence: {
      connected(id: string): void;
      disconnected(id: string): void;
    } | null,
  ) {
    const self = this;
    const of = (emitter: unknown) => (emitter as Tagged)[CONNECTION];
    this.onMessage = function (data, isBinary) {
      const c = of(this);
      if (c) self.heard(c, data, isBinary);
    };
    this.onClose = function () {
      const c = of(this);
      if (c) self.closed(c);
    };
    this.onError = function (error) {
      const c = of(this);
      if (c) c.policy.error?.(c, error);
    };
    this.onDrain = function () {
      const c = of(this);
      if (c && c.backedUpSince !== 0) self.release(c);
    };
    this.sweeper = setInterval(() => this.sweep(Date.now()), 1_000);
    this.sweeper.unref();
  }

  get size() {
    return this.all.size;
  }

  subscriptions(): number {
    let n = 0;
    for (const c of this.all) n += c.ctx?.connection?.subscriptions ?? 0;
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

  of(ws: WebSocket): Connection | undefined {
    return (ws as Tagged)[CONNECTION];
  }

  /** Runs before any protocol handler sees the socket. */
  accept(ws: WebSocket, req: IncomingMessage, policy: SocketPolicy): Connection {
    const socket = req.socket;
    const connection = new Connection(
      ws,
      socket,
      req,
      policy,
      socket.remoteAddress ?? '',
      Date.now(),
      this.limits.maxFramesPerSecond * 2,
    );
    (ws as Tagged)[CONNECTION] = connection;
    (socket as Tagged)[CONNECTION] = connection;
    this.all.add(connection);
    count(this.perAddress, connection.address, +1);
    if (policy.wrapSend) this.wrapSend(connection);
    ws.on('message', this.onMessage);
    ws.once('close', this.onClose);
    if (policy.error) ws.on('error', this.onError);
    socket.on('drain', this.onDrain);
    return connection;
  }

  /** Called once the socket's context (its user) is known. */
  authenticated(connection: Connection, ctx: Context) {
    // A socket that closed while its token was being checked was already let go by closed():
    // counting it now would hold a per-user slot and presence forever.
    if (!ctx.auth.ok || !this.all.has(connection)) return;
    connection.ctx = ctx;
    connection.userId = ctx.auth.user.id;
    count(this.perUser, connection.userId, +1);
    if (ctx.connection) ctx.connection.drain = () => this.drain(connection);
    this.presence?.connected(connection.userId);
    connection.expiresAt = ctx.auth.expiresAt.getTime();
  }

  /**
   * Every frame leaves here. Frames written in the same tick leave in one syscall (one cork
   * per socket per tick), and a socket past the hard cap is cut before its buffer grows.
   */
  write(connection: Connection, data: string | Buffer) {
    if (this.admitFrame(connection)) connection.ws.send(data);
  }

  /** Whether a frame may go out now; corks the socket for the rest of the tick. */
  private admitFrame(connection: Connection): boolean {
    const { ws } = connection;
    if (ws.readyState !== ws.OPEN) return false;
    if (ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.cut(connection);
      return false;
    }
    if (!connection.corked) {
      connection.corked = true;
      connection.socket.cork();
      if (this.toUncork.push(connection) === 1) process.nextTick(this.uncork);
    }
    this.metrics.framesOut.inc();
    return true;
  }

  private readonly uncork = () => {
    for (const connection of this.toUncork.splice(0)) {
      connection.corked = false;
      connection.socket.uncork();
    }
  };

  private wrapSend(connection: Connection) {
    const { ws } = connection;
    const send = ws.send.bind(ws) as (data: unknown, cb?: (err?: Error) => void) => void;
    // Stock and legacy handlers call ws.send themselves; send through `write` all the same.
    ws.send = ((data: string | Buffer, cb?: (err?: Error) => void) => {
      if (this.admitFrame(connection)) send(data, cb);
    }) as typeof ws.send;
  }

  // Shared listeners (one per server, not per socket): `this` is the emitter; its Connection
  // hangs off it.
  private readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  private readonly onClose: (this: WebSocket) => void;
  private readonly onError: (this: WebSocket, error: Error) => void;
  private readonly onDrain: (this: Socket) => void;

  private heard(c: Connection, data: RawData, isBinary: boolean) {
    this.metrics.framesIn.inc();
    c.heardAt = Date.now();
    c.pingedAt = 0;
    if (c.policy.message) return c.policy.message(c, data, isBinary);
    this.charge(c, isBinary ? 1 : callsIn(data));
  }

  /** Spends `calls` of the socket's flood budget; false (and the socket closing) past it. */
  charge(c: Connection, calls: number): boolean {
    c.budget -= calls;
    if (c.budget >= 0) return true;
    if (c.ws.readyState === c.ws.OPEN) {
      this.metrics.refused.inc({ reason: 'flood' });
      c.ws.close(CLOSE.flood, 'Too many frames');
    }
    return false;
  }

  private closed(c: Connection) {
    this.all.delete(c);
    count(this.perAddress, c.address, -1);
    c.socket.off('drain', this.onDrain);
    const waiters = c.waiters;
    c.waiters = null;
    if (waiters) for (const wake of waiters) wake();
    if (c.userId) {
      count(this.perUser, c.userId, -1);
      this.presence?.disconnected(c.userId);
    }
    c.policy.closed?.(c);
  }

  /** Backpressure for subscriptions: undefined when the socket can take more. */
  private drain(connection: Connection): Promise<void> | undefined {
    // A closed socket has left the sweep and will never drain: nobody would wake the wait.
    if (!this.all.has(connection)) return undefined;
    if (connection.ws.bufferedAmount <= this.limits.backpressureBytes) return undefined;
    if (connection.backedUpSince === 0) connection.backedUpSince = Date.now();
    return new Promise((resolve) => {
      connection.waiters ??= [];
      connection.waiters.push(resolve);
    });
  }

  private release(connection: Connection) {
    if (connection.ws.bufferedAmount > this.limits.backpressureBytes) return;
    connection.backedUpSince = 0;
    const waiters = connection.waiters;
    connection.waiters = null;
    if (waiters) for (const wake of waiters) wake();
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

  /** Once a second, for every socket: flood budget, auth deadline, token expiry, stall, ping. */
  private sweep(now: number) {
    const rate = this.limits.maxFramesPerSecond;
    const authMs = this.limits.authTimeoutMs ?? 0;
    for (const c of this.all) {
      c.budget = Math.min(rate * 2, c.budget + rate);
      if (c.ws.readyState !== c.ws.OPEN) continue;
      if (c.userId === null) {
        if (authMs > 0 && now - c.openedAt >= authMs && c.policy.authTimedOut) {
          c.openedAt = Number.POSITIVE_INFINITY; // once
          c.policy.authTimedOut(c);
        }
      } else if (now >= c.expiresAt) {
        c.expiresAt = Number.POSITIVE_INFINITY; // once
        c.policy.expired(c);
      }
      if (c.backedUpSince !== 0) {
        if (c.ws.bufferedAmount <= this.limits.backpressureBytes) this.release(c);
        else if (now - c.backedUpSince >= this.limits.stallMs) this.cut(c);
      }
      const keepAlive = c.policy.keepAlive;
      if (keepAlive) {
        if (c.pingedAt !== 0) {
          if (now - c.pingedAt >= keepAlive.pongWaitMs) c.ws.terminate();
        } else if (now - c.heardAt >= keepAlive.pingMs) {
          c.pingedAt = now;
          this.write(c, 'PING');
        }
      }
    }
  }

  /** Graceful shutdown: close what is left. */
  closeAll(code: number, reason: string) {
    for (const { ws } of this.all) ws.close(code, reason);
  }

  terminateAll() {
    for (const { ws } of this.all) ws.terminate();
  }

  /** Every open socket of one kind (the reconnect notice goes to tRPC sockets only). */
  *withPolicy(policy: SocketPolicy): Iterable<Connection> {
    for (const c of this.all) if (c.policy === policy) yield c;
  }

  stop() {
    clearInterval(this.sweeper);
  }
}

function count(map: Map<string, number>, key: string, delta: number) {
  const n = (map.get(key) ?? 0) + delta;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
