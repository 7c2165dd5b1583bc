import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppRouter, ChatServices } from '@estuary/api';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { Connections } from './connections';
import { attachLeanHandler } from './lean';
import { createLegacyChat } from './legacy/upgrade';
import type { Metrics } from './metrics';
import { attachStockHandler } from './stock';

export interface WsServerOptions {
  router: AppRouter;
  services: ChatServices;
  metrics: Metrics;
  log: Logger;
  maxPayloadBytes: number;
  maxBufferedBytes: number;
  backpressureBytes: number;
  stallMs: number;
  maxFramesPerSecond: number;
  perMessageDeflate: boolean;
  pingMs: number;
  pongWaitMs: number;
  /** Close a socket that has not authenticated this long after opening (0: never). */
  authTimeoutMs?: number;
  /** Open sockets per remote address (0: no cap). */
  maxConnectionsPerAddress?: number;
  /** Open sockets per user on this process (0: no cap). */
  maxSocketsPerUser?: number;
  /** /metrics: in production only with this bearer token, or on `metricsPort`. */
  metricsToken?: string | undefined;
  /** When set, /metrics is served on its own listener (see `listenMetrics`), not the public port. */
  metricsPort?: number | undefined;
  production?: boolean;
  /** `lean` (ours, the default) or `stock` (tRPC's applyWSSHandler, for comparison). */
  handler?: 'lean' | 'stock';
  /** Database and bus reachability, for GET /readyz. */
  readiness: () => Promise<Record<string, { ok: boolean; detail: string }>>;
}

/**
 * The ws process's network face: one HTTP server that upgrades to WebSocket for tRPC and
 * answers /healthz, /readyz and /metrics in plain HTTP.
 */
export function createWsServer(options: WsServerOptions) {
  const { router, services, metrics, log } = options;
  const connections = new Connections(
    {
      maxBufferedBytes: options.maxBufferedBytes,
      backpressureBytes: options.backpressureBytes,
      stallMs: options.stallMs,
      maxFramesPerSecond: options.maxFramesPerSecond,
      authTimeoutMs: options.authTimeoutMs ?? 5_000,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 0,
      maxSocketsPerUser: options.maxSocketsPerUser ?? 0,
    },
    metrics,
    log,
    services.presence,
  );
  let draining = false;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    perMessageDeflate: options.perMessageDeflate,
  });
  const keepAlive = { pingMs: options.pingMs, pongWaitMs: options.pongWaitMs };
  const handler =
    options.handler === 'stock'
      ? attachStockHandler({ wss, router, services, connections, metrics, log, keepAlive })
      : attachLeanHandler({ wss, router, services, connections, metrics, log, keepAlive });

  // The old chat's JSON protocol (./legacy), on the same connections, limits and router.
  const legacy = createLegacyChat({ ...options, connections });

  const http = createServer((req, res) => void route(req, res));

  async function route(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET') return reply(405, 'text/plain', 'Method Not Allowed\n');
    if (path === '/healthz')
      return reply(200, 'application/json', JSON.stringify({ ok: true, draining }));
    if (path === '/readyz') {
      const checks = await options.readiness();
      const ok = !draining && Object.values(checks).every((c) => c.ok);
      return reply(ok ? 200 : 503, 'application/json', JSON.stringify({ ok, draining, checks }));
    }
    if (path === '/metrics' && options.metricsPort === undefined) return serveMetrics(req, res);
    reply(404, 'text/plain', 'Not Found\n');
  }

  /**
   * Prometheus metrics. In production, only with `Authorization: Bearer <METRICS_TOKEN>` (or
   * on METRICS_PORT, which the operator keeps private); in dev, open unless a token is set.
   */
  async function serveMetrics(req: IncomingMessage, res: ServerResponse) {
    const token = options.metricsToken;
    if (token) {
      if (!bearerMatches(req.headers.authorization, token)) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' });
        return res.end('Unauthorized\n');
      }
    } else if (options.production && options.metricsPort === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('Not Found\n');
    }
    res.writeHead(200, {
      'content-type': metrics.registry.contentType,
      'cache-control': 'no-store',
    });
    res.end(await metrics.registry.metrics());
  }

  const metricsHttp =
    options.metricsPort === undefined
      ? null
      : createServer((req, res) => {
          const path = (req.url ?? '/').split('?')[0];
          if (req.method === 'GET' && path === '/metrics') return void serveMetrics(req, res);
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('Not Found\n');
        });

  http.on('upgrade', (req, socket, head) => {
    const refuse = (status: number, reason: string, message: string) => {
      metrics.refused.inc({ reason });
      socket.end(
        `HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${message}\n`,
      );
    };
    if (draining)
      return refuse(503, 'draining', 'Server is shutting down; connect to another node');
    if (!connections.admits(req.socket.remoteAddress ?? ''))
      return refuse(429, 'per-address', 'Too many connections from this address');
    const legacyConversation = legacy.match(req);
    if (legacyConversation !== null)
      return void legacy.upgrade(req, socket, head, legacyConversation);
    // Tokens never travel in URLs (they end up in logs and proxies): connectionParams only.
    const params = new URL(req.url ?? '/', 'http://ws').searchParams;
    for (const key of params.keys()) {
      if (key !== 'connectionParams') {
        return refuse(
          400,
          'url-params',
          'Only connectionParams=1 may appear in the URL; send the token in connectionParams',
        );
      }
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  http.on('clientError', (_error, socket) => socket.destroy());

  return {
    http,
    connections,
    async listen(port: number, host: string): Promise<AddressInfo> {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => resolve());
      });
      return http.address() as AddressInfo;
    },
    /** Starts the private metrics listener, when `metricsPort` is set. */
    async listenMetrics(host: string): Promise<AddressInfo | null> {
      if (!metricsHttp || options.metricsPort === undefined) return null;
      const port = options.metricsPort;
      await new Promise<void>((resolve, reject) => {
        metricsHttp.once('error', reject);
        metricsHttp.listen(port, host, () => resolve());
      });
      return metricsHttp.address() as AddressInfo;
    },
    /**
     * Graceful shutdown: refuse new sockets and new calls, let in-flight calls finish, tell
     * clients to reconnect elsewhere, then close what is left. Bounded by `timeoutMs`.
     */
    async shutdown(timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      draining = true;
      services.draining = true;
      http.close();
      metricsHttp?.close();
      // Let calls already running answer on this socket before telling clients to move.
      await services.inflight.idle(Math.max(0, timeoutMs / 2));
      handler.broadcastReconnectNotification();
      // Clients that got the notice reconnect on their own; give them a moment to leave.
      while (connections.size > 0 && Date.now() < deadline - 500) {
        await new Promise((r) => setTimeout(r, 50));
      }
      connections.closeAll(1012, 'Server restarting');
      await new Promise((r) => setTimeout(r, 100));
      connections.terminateAll();
      wss.close();
      legacy.close();
      connections.stop();
    },
  };
}

export type WsServer = ReturnType<typeof createWsServer>;

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
