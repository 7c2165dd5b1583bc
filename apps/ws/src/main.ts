import { hostname } from 'node:os';
import {
  appRouter,
  createChatServices,
  describeError,
  platformAuthFromEnv,
  pruneEvents,
} from '@estuary/api';
import { closeDb, createDb, migrate } from '@estuary/db';
import { createBus } from '@estuary/realtime';
import pino from 'pino';
import { loadEnv } from './env';
import { createMetrics } from './metrics';
import { pendingJobsOf, startNotifications } from './notify';
import { createNotifyMetrics } from './notify-metrics';
import { createWsServer, type WsServer } from './server';

const log = pino({
  name: 'estuary-ws',
  level: 'info',
  // Belt and braces: nothing below logs these, and if something ever did, they are masked.
  redact: [
    'token',
    '*.token',
    'connectionParams',
    '*.connectionParams',
    'content',
    '*.content',
    'password',
  ],
});

let env: ReturnType<typeof loadEnv>;
try {
  env = loadEnv();
} catch (error) {
  log.fatal((error as Error).message);
  process.exit(1);
}
log.level = env.LOG_LEVEL;

// Without DATABASE_URL (dev only): the embedded database, loaded on demand so production
// never touches it.
async function devDatabaseFor(mode: 'wait' | 'start') {
  const { startDevDatabase, waitForDevDatabase } = await import('@estuary/db/dev');
  const devLog = (line: string) => log.info(`[db] ${line}`);
  if (mode === 'wait')
    return { url: await waitForDevDatabase({ log: devLog }), stop: async () => {} };
  const { seedIfEmpty } = await import('@estuary/db/seed');
  return startDevDatabase({ seedIfEmpty, log: devLog });
}
const devDatabase = env.DATABASE_URL
  ? null
  : await devDatabaseFor(env.ESTUARY_DEV_DB).catch((error: unknown) => {
      // The database's errors say what to do in one line; a stack trace would bury it.
      log.fatal(`no dev database: ${(error as Error).message}`);
      process.exit(1);
    });
const databaseUrl = env.DATABASE_URL ?? devDatabase?.url ?? '';
await migrate(databaseUrl);

const nodeId = `ws-${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
const db = createDb(databaseUrl, {
  max: env.DATABASE_POOL_SIZE,
  applicationName: nodeId,
  statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
  idleInTransactionTimeoutMs: env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  acquireTimeoutMs: env.DATABASE_ACQUIRE_TIMEOUT_MS,
});
let server: WsServer | undefined;
const metrics = createMetrics({
  connections: () => server?.connections.size ?? 0,
  subscriptions: () => server?.connections.subscriptions() ?? 0,
});
const bus = createBus(
  { redisUrl: env.REDIS_URL, databaseUrl },
  {
    nodeId,
    onRemoteDelivery: (lagMs) => {
      metrics.busIn.inc();
      metrics.busLag.observe(lagMs / 1000);
    },
    log: (level, message, extra) => log[level](extra ?? {}, message),
  },
);
// Count what this process puts on the bus (the other direction is counted on delivery).
const publish = bus.publish.bind(bus);
bus.publish = (topic, payload) => {
  metrics.busOut.inc();
  return publish(topic, payload);
};
const services = createChatServices({
  db,
  bus,
  authSecret: env.AUTH_SECRET,
  limits: env.limits,
  registrationOpen: env.ALLOW_REGISTRATION,
  trackPresence: true,
  nodeId,
  log: (level, message, extra) => log[level](extra ?? {}, message),
  platformAuth: platformAuthFromEnv(env),
  redisUrl: env.REDIS_URL,
  login: env.login,
  notify: {
    vapidPublicKey: env.notify.vapid?.publicKey ?? null,
    allowInsecureEndpoints: env.notify.allowInsecureEndpoints,
  },
});
metrics.platformKeyFailures(() => services.platform?.keyFetchFailures ?? 0);
await services.start();
const notifications = await startNotifications({
  env,
  databaseUrl,
  db,
  nodeId,
  log: (level, message, extra) => log[level](extra ?? {}, message),
  metrics: createNotifyMetrics(metrics.registry, pendingJobsOf(db)),
});

server = createWsServer({
  router: appRouter,
  services,
  metrics,
  log,
  maxPayloadBytes: env.WS_MAX_PAYLOAD_BYTES,
  maxBufferedBytes: env.WS_MAX_BUFFERED_BYTES,
  backpressureBytes: env.WS_BACKPRESSURE_BYTES,
  stallMs: env.WS_STALL_TIMEOUT_MS,
  maxFramesPerSecond: env.WS_MAX_FRAMES_PER_SECOND,
  perMessageDeflate: env.WS_PERMESSAGE_DEFLATE,
  handler: env.WS_HANDLER,
  pingMs: env.WS_PING_MS,
  pongWaitMs: env.WS_PONG_WAIT_MS,
  authTimeoutMs: env.WS_AUTH_TIMEOUT_MS,
  maxConnectionsPerAddress: env.WS_MAX_CONNECTIONS_PER_ADDRESS,
  maxSocketsPerUser: env.WS_MAX_SOCKETS_PER_USER,
  metricsToken: env.METRICS_TOKEN,
  metricsPort: env.METRICS_PORT,
  production: env.production,
  readiness: async () => {
    const database = await db.$client`select 1`.then(
      () => ({ ok: true, detail: 'postgres' }),
      (error: unknown) => ({ ok: false, detail: `postgres: ${String(error)}` }),
    );
    return { database, bus: await bus.check() };
  },
});
const address = await server.listen(env.PORT, env.HOST);
log.info(
  { port: address.port, host: address.address, bus: bus.kind, nodeId },
  'ws server listening',
);
const metricsAddress = await server.listenMetrics(env.HOST);
if (metricsAddress) log.info({ port: metricsAddress.port }, 'metrics listening');
else if (env.production && !env.METRICS_TOKEN)
  log.warn('/metrics is off: set METRICS_TOKEN or METRICS_PORT to serve it in production');

// Resume ids older than the retention window get STALE_EVENT_ID; prune hourly.
const prune = setInterval(() => {
  pruneEvents(db.$client, env.EVENT_RETENTION_DAYS).catch((error) =>
    log.warn({ err: describeError(error) }, 'event pruning failed'),
  );
}, 3_600_000);
prune.unref();

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  // Whatever happens below, the process ends within the budget.
  setTimeout(() => {
    log.error('shutdown timed out; exiting');
    process.exit(1);
  }, env.SHUTDOWN_TIMEOUT_MS + 5_000).unref();
  clearInterval(prune);
  await server?.shutdown(env.SHUTDOWN_TIMEOUT_MS);
  // A job cut short here is retried by whichever worker is left (or by this one on restart).
  await notifications?.stop().catch((error) => log.warn({ err: error }, 'stopping jobs failed'));
  await services.close().catch((error) => log.warn({ err: error }, 'presence cleanup failed'));
  await bus.close().catch(() => {});
  await closeDb(db).catch(() => {});
  await devDatabase?.stop();
  log.info('bye');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
