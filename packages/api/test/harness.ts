import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeDb, createDb, type Db } from '@estuary/db';
import { createTestDatabase, type TestDatabase } from '@estuary/db/testing';
import { type Bus, createMemoryBus, createPostgresBus } from '@estuary/realtime';
import { TRPCClientError } from '@trpc/client';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import {
  type ChatServices,
  type Context,
  createAppRouter,
  createChatServices,
  createHttpContext,
  createSocketContext,
  type Limits,
  type Role,
  type User,
  wsEncoder,
} from '../src';
import { type TestClient, testClient } from './client';

export const SECRET = 'harness-secret-harness-secret-harness-secret';

export interface Member {
  user: User;
  token: string;
  /** HTTP for queries and mutations, WebSocket for subscriptions. */
  client: TestClient;
}

/**
 * A real stack for one test file: its own database, the router over HTTP (standalone
 * adapter, as /api/trpc) and over WebSocket (applyWSSHandler, as apps/ws), and typed clients.
 */
export async function startStack(
  options: { bus?: 'memory' | 'postgres' | ((bus: Bus) => Bus); limits?: Partial<Limits> } = {},
) {
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
    authSecret: SECRET,
    limits: options.limits,
    trackPresence: true,
    feedAuditMs: 500,
    presenceGraceMs: 300,
    log: () => {},
  });
  await services.start();
  const router = createAppRouter({ ...services.limits });

  const httpHandler = createHTTPHandler({
    router,
    createContext: ({ req }) =>
      createHttpContext(services, new Headers(req.headers as Record<string, string>)),
  });
  const http: Server = createServer((req, res) => {
    // The standalone adapter serves at the root; mimic /api/trpc.
    req.url = (req.url ?? '').replace(/^\/api\/trpc/, '');
    httpHandler(req, res);
  });
  const wsServer: Server = createServer();
  const wss = new WebSocketServer({ server: wsServer, maxPayload: 64 * 1024 });
  const sockets = new Set<import('ws').WebSocket>();
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
      services.presence?.connected(ctx.auth.user.id);
      ws.once('close', () => services.presence?.disconnected(ctx.auth.user.id));
      return ctx;
    },
  });
  await Promise.all([listen(http), listen(wsServer)]);
  const httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/trpc`;
  const wsUrl = `ws://127.0.0.1:${(wsServer.address() as AddressInfo).port}`;
  const clients = new Set<TestClient>();

  const client = (token: string | (() => string | Promise<string>)) => {
    const c = testClient({
      httpUrl,
      wsUrl,
      getToken: typeof token === 'string' ? () => token : token,
    });
    clients.add(c);
    return c;
  };
  const anonymous = client('');

  let counter = 0;
  const signUp = async (role: Role = 'client', name?: string): Promise<Member> => {
    const n = ++counter;
    const result = await anonymous.auth.register.mutate({
      email: `user${n}-${randomUUID().slice(0, 8)}@example.com`,
      password: 'password-123',
      name: name ?? `${role} ${n}`,
      role,
    });
    return { user: result.user, token: result.token, client: client(result.token) };
  };

  return {
    db,
    bus,
    services,
    router,
    httpUrl,
    wsUrl,
    anonymous,
    client,
    signUp,
    /**
     * Waits until `count` subscribers here listen to `topic`: a subscription is live once its
     * stream has attached, which a sleep cannot promise on a busy machine.
     */
    async listening(topic: string, count = 1) {
      await eventually(() => {
        if (bus.listenerCount(topic) < count)
          throw new Error(`fewer than ${count} listeners on ${topic}`);
      }, 20_000);
    },
    /** Drops every open socket, as a network blip would. Clients reconnect on their own. */
    dropSockets() {
      for (const ws of sockets) ws.terminate();
    },
    async close() {
      for (const c of clients) await c.close().catch(() => {});
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

export type Stack = Awaited<ReturnType<typeof startStack>>;

function listen(server: Server) {
  return new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
}

/** Collects what a subscription yields, with a way to wait for a condition. */
export function collector<T>() {
  const items: T[] = [];
  const errors: unknown[] = [];
  return {
    items,
    errors,
    onData: (item: T) => {
      items.push(item);
    },
    onError: (error: unknown) => {
      errors.push(error);
    },
    async until(predicate: (items: T[]) => boolean, timeoutMs = 10_000) {
      await eventually(() => {
        if (!predicate(items)) throw new Error(`condition not met; have ${items.length} items`);
      }, timeoutMs);
    },
  };
}

/** Retries `check` until it stops throwing, or fails with its last error after `timeoutMs`. */
export async function eventually(
  check: () => void | Promise<void>,
  timeoutMs = 10_000,
  stepMs = 20,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, stepMs));
    }
  }
}

/** The tRPC error code a call failed with, or 'OK'. */
export async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return error.data?.code as string;
    throw error;
  }
  return 'OK';
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A booking between a new practitioner and a new client, and its conversation. */
export async function bookedPair(stack: Stack) {
  const practitioner = await stack.signUp('practitioner');
  const client = await stack.signUp('client');
  const booking = await practitioner.client.booking.create.mutate({
    practitionerId: practitioner.user.id,
    clientId: client.user.id,
    startsAt: new Date(Date.now() + 86_400_000),
    endsAt: new Date(Date.now() + 90_000_000),
  });
  const conversation = await client.client.conversation.forBooking.mutate({
    bookingId: booking.id,
  });
  return { practitioner, client, booking, conversation };
}
