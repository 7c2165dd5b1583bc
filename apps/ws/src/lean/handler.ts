import type { AppRouter, Context } from '@estuary/api';
import { getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import {
  isObject,
  parseConnectionParamsFromUnknown,
  parseTRPCMessage,
} from '@trpc/server/unstable-core-do-not-import';
import type { RawData } from 'ws';
import type { Connection, Connections, SocketPolicy } from '../connections';
import { handleRequest, type Request } from './calls';
import { type CallType, errorFrame, RECONNECT_FRAME } from './frames';
import { Session } from './session';

export interface ProcedureErrorInfo {
  error: TRPCError;
  path: string | undefined;
  type: CallType;
  ctx: Context | undefined;
}

export interface LeanHandlerOptions {
  router: AppRouter;
  connections: Connections;
  keepAlive: { pingMs: number; pongWaitMs: number };
  /** The socket's context from its connectionParams; throws a TRPCError to refuse it. */
  createContext(
    connection: Connection,
    params: Record<string, string | undefined> | null,
  ): Promise<Context>;
  /**
   * A refused socket: counts it and says how to close (the pending calls are answered first,
   * then it closes `REFUSAL_CLOSE_MS` later).
   */
  refused(error: TRPCError, reason: string | undefined): { code?: number; reason: string };
  onError(info: ProcedureErrorInfo): void;
  /** Counts subscriptions run in push form, and the times one found its socket full. */
  pushMetrics?: PushMetrics;
}

export interface PushMetrics {
  started(): void;
  waited(): void;
}

/** A refused socket stays open this long, so its error frames reach the client before the close. */
export const REFUSAL_CLOSE_MS = 250;

/**
 * tRPC's WebSocket protocol (11.19.0, as `applyWSSHandler` speaks it) for sockets accepted by
 * `Connections`: one Session per socket, listeners and the keep-alive shared by all.
 */
export class LeanHandler {
  readonly router: AppRouter;
  readonly config: AppRouter['_def']['_config'];
  readonly connections: Connections;
  readonly serialize: (value: unknown) => unknown;
  readonly policy: SocketPolicy;
  readonly pushMetrics: PushMetrics | undefined;

  constructor(private readonly options: LeanHandlerOptions) {
    this.router = options.router;
    this.pushMetrics = options.pushMetrics;
    this.config = options.router._def._config;
    this.connections = options.connections;
    this.serialize = this.config.transformer.output.serialize;
    this.policy = {
      wrapSend: false,
      keepAlive: options.keepAlive,
      message: (c, data, isBinary) => this.message(c, data, isBinary),
      closed: (c) => this.closed(c),
      error: (c, error) =>
        this.onError({
          error: getTRPCErrorFromUnknown(error),
          path: undefined,
          type: 'unknown',
          ctx: (c.session as Session).ctx,
        }),
      authTimedOut: (c) =>
        this.refuse(
          c,
          new TRPCError({
            code: 'UNAUTHORIZED',
            message: 'Authentication timed out: send connectionParams with a token on connect',
          }),
          'auth-timeout',
        ),
      expired: (c) =>
        this.refuse(
          c,
          new TRPCError({ code: 'UNAUTHORIZED', message: 'Token expired' }),
          'token-expired',
        ),
    };
  }

  onError(info: ProcedureErrorInfo) {
    this.options.onError(info);
  }

  /** After `connections.accept(ws, req, handler.policy)`. */
  open(connection: Connection) {
    const session = new Session();
    connection.session = session;
    const url = new URL(connection.req.url ?? '/', 'http://ws');
    if (url.searchParams.get('connectionParams') !== '1')
      session.ready = this.createContext(connection, session, () => null);
  }

  private async createContext(
    connection: Connection,
    session: Session,
    params: () => Record<string, string | undefined> | null,
  ) {
    try {
      session.ctx = await this.options.createContext(connection, params());
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      this.onError({ error, path: undefined, type: 'unknown', ctx: session.ctx });
      this.refuse(connection, error, undefined);
    }
  }

  private message(connection: Connection, data: RawData, isBinary: boolean) {
    const session = connection.session as Session;
    // Every frame counts against the flood budget, whatever it turns out to be (a frame that
    // fails to parse costs the parse and the reply); a batch pays for its other calls below.
    if (!this.connections.charge(connection, 1)) return;
    if (!isBinary) {
      const text = data.toString();
      if (text === 'PONG') return;
      if (text === 'PING') {
        this.connections.write(connection, 'PONG');
        return;
      }
    }
    if (!Buffer.isBuffer(data)) {
      const error = new TRPCError({
        code: 'UNPROCESSABLE_CONTENT',
        message: 'Unexpected WebSocket message format',
      });
      return this.unknownError(connection, session, error);
    }
    const text = isBinary ? null : data.toString('utf8');
    if (session.ready === null) {
      session.ready = this.createContext(connection, session, () => connectionParams(text));
      return;
    }
    let requests: Request[];
    try {
      if (text === null) throw new Error('Binary frames are not supported');
      const json: unknown = JSON.parse(text);
      const list = Array.isArray(json) ? json : [json];
      if (list.length > 1 && !this.connections.charge(connection, list.length - 1)) return;
      requests = list.map((raw) => parseTRPCMessage(raw, this.config.transformer) as Request);
    } catch (cause) {
      if (connection.ws.readyState !== connection.ws.OPEN) return;
      return this.unknownError(connection, session, new TRPCError({ code: 'PARSE_ERROR', cause }));
    }
    for (let i = 0; i < requests.length; i++)
      handleRequest(this, connection, session, requests[i] as Request, i);
  }

  private unknownError(connection: Connection, session: Session, error: TRPCError) {
    const at = { id: null, type: 'unknown' as const, path: undefined, input: undefined };
    this.connections.write(connection, errorFrame(this.config, error, { ...at, ctx: session.ctx }));
  }

  /**
   * Ends a socket's access: an error frame (id null), its subscriptions stopped without a word
   * (the client resubscribes after reconnecting), calls still waiting for the socket's context
   * answered with the same error (calls already running may commit: they are answered if they
   * end in time, else cut by the close, which a client retries), then the close, whose code
   * tells a client whether to fetch a fresh token.
   */
  refuse(connection: Connection, error: TRPCError, reason: string | undefined) {
    const session = connection.session as Session;
    if (session.refusal) return;
    session.refusal = error;
    const close = this.options.refused(error, reason);
    this.unknownError(connection, session, error);
    if (session.subscriptions) for (const sub of session.subscriptions.values()) sub.stop(true);
    setTimeout(() => {
      const calls = session.calls;
      session.calls = null;
      if (calls)
        for (const [id, call] of calls) {
          if (call.dispatched) continue;
          this.connections.write(
            connection,
            errorFrame(this.config, error, { id, ...call, input: undefined, ctx: session.ctx }),
          );
        }
      if (close.code === undefined) connection.ws.close();
      else connection.ws.close(close.code, close.reason.slice(0, 120));
    }, REFUSAL_CLOSE_MS).unref();
  }

  private closed(connection: Connection) {
    const session = connection.session as Session;
    session.closed = true;
    if (session.subscriptions) for (const sub of session.subscriptions.values()) sub.stop(true);
  }

  /** Asks every tRPC client on this process to reconnect (graceful shutdown). */
  broadcastReconnectNotification() {
    for (const c of this.connections.withPolicy(this.policy))
      this.connections.write(c, RECONNECT_FRAME);
  }
}

function connectionParams(text: string | null) {
  let msg: unknown;
  try {
    if (text === null) throw new Error('Binary frames are not supported');
    msg = JSON.parse(text);
    if (!isObject(msg)) throw new Error('Message was not an object');
  } catch (cause) {
    throw new TRPCError({
      code: 'PARSE_ERROR',
      message: 'Malformed TRPCConnectionParamsMessage',
      cause,
    });
  }
  return parseConnectionParamsFromUnknown(msg.data);
}
