import 'server-only';
import {
  type ChatServices,
  createAppRouter,
  createChatServices,
  platformAuthFromEnv,
} from '@estuary/api';
import { createDb } from '@estuary/db';
import { waitForDevDatabase } from '@estuary/db/dev-wait';
import { createBus } from '@estuary/realtime';
import { env } from '../env';

interface WebServer {
  services: ChatServices;
  router: ReturnType<typeof createAppRouter>;
}

// One set of services per process. Next's dev server reloads modules, so the promise lives
// on globalThis instead of module scope.
const globalKey = Symbol.for('estuary.web.server');
const holder = globalThis as unknown as { [globalKey]?: Promise<WebServer> };

async function boot(): Promise<WebServer> {
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
  const limits = {
    maxContentLength: config.MESSAGE_MAX_LENGTH,
    maxPageSize: config.PAGE_MAX,
    sendRatePerSecond: config.SEND_RATE_PER_SECOND,
    sendBurst: config.SEND_BURST,
    queryRatePerSecond: config.QUERY_RATE_PER_SECOND,
    queryBurst: config.QUERY_BURST,
    maxGroupParticipants: config.GROUP_MAX_PARTICIPANTS,
  };
  const services = createChatServices({
    db,
    bus,
    authSecret: config.AUTH_SECRET,
    limits,
    registrationOpen: config.ALLOW_REGISTRATION,
    log,
    platformAuth: platformAuthFromEnv(config),
    redisUrl: config.REDIS_URL,
    login: {
      loginAttemptsPerAccount: config.LOGIN_ATTEMPTS_PER_ACCOUNT,
      loginAttemptsPerAddress: config.LOGIN_ATTEMPTS_PER_ADDRESS,
      loginWindowSeconds: config.LOGIN_WINDOW_SECONDS,
    },
    notify: {
      vapidPublicKey: config.vapidPublicKey,
      allowInsecureEndpoints: config.NOTIFY_ALLOW_INSECURE_ENDPOINTS,
    },
  });
  await services.start();
  return { services, router: createAppRouter(limits) };
}

export function webServer(): Promise<WebServer> {
  holder[globalKey] ??= boot().catch((error) => {
    holder[globalKey] = undefined;
    throw error;
  });
  return holder[globalKey];
}
