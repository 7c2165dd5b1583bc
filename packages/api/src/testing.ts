// `@estuary/api/testing`: the router served for tests, over a real HTTP endpoint and a real
// WebSocket, on a database of the test's own. Only test files import this.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeDb, createDb, type Db } from '@estuary/db';
import { createTestDatabase, type TestDatabase } from '@estuary/db/testing';
import { type Bus, createMemoryBus, createPostgresBus } from '@estuary/realtime';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { serveAttachmentRequest } from './attachments/node-http';
import { HTTP_MAX_BATCH } from './client-constants';
import { type Context, createHttpContext, createSocketContext } from './context';
import type { Log } from './deps';
import type { Limits } from './domain/types';
import { wsEncoder } from './live/wire';
import type { LoginLimits } from './login-throttle';
import type { PlatformAuthOptions } from './platform-tokens';
import { appRouter } from './root';
import { type ChatServices, type ChatServicesOptions, createChatServices } from './services';

export const TEST_SECRET = 'test-secret-test-secret-test-secret-test-secret';

export interface TestServerOptions {
  bus?: 'memory' | 'postgres' | ((bus: Bus) => Bus);
  limits?: Partial<Limits>;
  platformAuth?: PlatformAuthOptions;
  /** Receives the services' log lines (default: dropped). */
  log?: Log;
  login?: Partial<LoginLimits>;
  /** v2 attachments: storage and limits (default: local disk in a temp dir), and a clock. */
  attachments?: import('./attachments/env').AttachmentConfig;
  clock?: () => number;
  notify?: ChatServicesOptions['notify'];
}

/** HTTP at `httpUrl` (as apps/web's /api/trpc) and WebSocket at `wsUrl` (as apps/ws). */
export async function startTestServer(options: TestServerOptions = {}) {
  const database: TestDatabase = await createTestDatabase();
  const db: Db = createDb(database.url);
  const bus: Bus =
    options.bus === 'postgres'
      ? createPostgresBus(database.url)
      : typeof options.bus === 'function'
        ? options.bus(createMemoryBus())
        : createMemoryBus();
  const services: ChatServices = createChatServices({
    db,
    bus,
    authSecret: TEST_SECRET,
    limits: options.limits,
    platformAuth: options.platformAuth ?? null,
    login: options.login,
    notify: options.notify,
    trackPresence: true,
    // Short, so tests see audits and presence changes without long waits.
    feedAuditMs: 500,
    presenceGraceMs: 300,
    log: options.log ?? (() => {}),
    attachments: options.attachments,
    clock: options.clock,
  });
  await services.start();
  const router = appRouter;

  const httpHandler = createHTTPHandler({
    router,
    maxBatchSize: HTTP_MAX_BATCH,
    createContext: ({ req }) =>
      createHttpContext(
        services,
        new Headers(req.headers as Record<string, string>),
        req.socket.remoteAddress,
      ),
  });
  const http: Server = createServer((req, res) => {
    // The standalone adapter serves at the root; mimic /api/trpc.
    const attachments = services.deps.attachments;
    if (attachments && req.url?.startsWith('/api/attachments/')) {
      serveAttachmentRequest(attachments, req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
      return;
    }
    req.url = (req.url ?? '').replace(/^\/api\/trpc/, '');
    httpHandler(req, res);
  });
  const wsServer: Server = createServer();
  const wss = new WebSocketServer({ server: wsServer, maxPayload: 64 * 1024 });
  const sockets = new Set<WebSocket>();
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
  });
  applyWSSHandler({
    wss,
    router,
    experimental_encoder: wsEncoder,
    createContext: async ({ info, res: ws }): Promise<Context> => {
      const ctx = await createSocketContext(services, info.connectionParams);
      const { auth } = ctx;
      if (auth.ok) {
        services.presence?.connected(auth.user.id);
        ws.once('close', () => services.presence?.disconnected(auth.user.id));
      }
      return ctx;
    },
  });
  await Promise.all([listen(http), listen(wsServer)]);

  return {
    databaseUrl: database.url,
    db,
    bus,
    services,
    router,
    httpUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/trpc`,
    origin: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    wsUrl: `ws://127.0.0.1:${(wsServer.address() as AddressInfo).port}`,
    /** Drops every open socket, as a network blip would. Clients reconnect on their own. */
    dropSockets() {
      for (const ws of sockets) ws.terminate();
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise((r) => wss.close(() => r(null)));
      await new Promise((r) => wsServer.close(() => r(null)));
      await new Promise((r) => http.close(() => r(null)));
      await services.close();
      await bus.close();
      await closeDb(db);
      await database.drop();
    },
  };
}

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;

function listen(server: Server) {
  return new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
}

export * from './testing-platform';
