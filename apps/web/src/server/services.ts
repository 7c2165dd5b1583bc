import 'server-only';
import {
  type AppRouter,
  appRouter,
  type ChatServices,
  createChatServices,
  platformAuthFromEnv,
} from '@estuary/api';
import { createDb } from '@estuary/db';
import { waitForDevDatabase } from '@estuary/db/dev-wait';
import { createBus } from '@estuary/realtime';
import { env } from '../env';

interface ChatServer {
  services: ChatServices;
  router: AppRouter;
}

// One set of services per process. Next's dev server reloads modules, so the promise lives
// on globalThis instead of module scope.
const globalKey = Symbol.for('estuary.web.server');
const holder = globalThis as unknown as { [globalKey]?: Promise<ChatServer> };

async function boot(): Promise<ChatServer> {
  const config = env();
  const databaseUrl =
    config.DATABASE_URL ??
    (await waitForDevDatabase({ log: (line) => console.log(`[web] ${line}`) }));
  const db = createDb(databaseUrl, {
    max: config.DATABASE_POOL_SIZE,
    applicationName: 'estuary-web',
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    acquireTimeoutMs: config.DATABASE_ACQUIRE_TIMEOUT_MS,
  });
  const log = (
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    extra?: Record<string, unknown>,
  ) => {
    if (level === 'debug') return;
    console[level](`[web] ${message}`, extra ?? '');
  };
  const bus = createBus({ redisUrl: config.REDIS_URL, databaseUrl }, { log });
  const services = createChatServices({
    db,
    bus,
    authSecret: config.AUTH_SECRET,
    limits: config.limits,
    registrationOpen: config.ALLOW_REGISTRATION,
    log,
    platformAuth: platformAuthFromEnv(config),
    redisUrl: config.REDIS_URL,
    login: config.login,
    notify: {
      vapidPublicKey: config.vapidPublicKey,
      allowInsecureEndpoints: config.NOTIFY_ALLOW_INSECURE_ENDPOINTS,
    },
  });
  await services.start();
  return { services, router: appRouter };
}

/**
 * This process's chat server: its services and the router, booted on first use (database,
 * bus, limits from the environment) and shared by every route handler after that.
 */
export function chatServer(): Promise<ChatServer> {
  holder[globalKey] ??= boot().catch((error) => {
    holder[globalKey] = undefined;
    throw error;
  });
  return holder[globalKey];
}
