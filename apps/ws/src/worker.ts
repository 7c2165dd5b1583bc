import { hostname } from 'node:os';
import { closeDb, createDb, migrate } from '@estuary/db';
import pino from 'pino';
import { loadEnv } from './env';
import { startNotifications } from './notify';

/**
 * The notification jobs as their own process (`pnpm --filter @estuary/ws start:worker`), for
 * production setups that keep socket servers and background work apart (then run the ws
 * servers with NOTIFY_WORKERS=false). Several may run; the queue shares the jobs out.
 */
const log = pino({ name: 'estuary-worker', level: 'info', redact: ['content', '*.content'] });

let env: ReturnType<typeof loadEnv>;
try {
  env = loadEnv();
} catch (error) {
  log.fatal((error as Error).message);
  process.exit(1);
}
log.level = env.LOG_LEVEL;

const devDatabase = env.DATABASE_URL
  ? null
  : await (await import('@estuary/db/dev-wait')).waitForDevDatabase({
      log: (line) => log.info(`[db] ${line}`),
    });
const databaseUrl = env.DATABASE_URL ?? devDatabase ?? '';
await migrate(databaseUrl);
const nodeId = `worker-${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
const db = createDb(databaseUrl, { max: env.NOTIFY_CONCURRENCY + 2, applicationName: nodeId });
const worker = await startNotifications({
  env: { ...env, NOTIFY_WORKERS: true },
  databaseUrl,
  db,
  nodeId,
  log: (level, message, extra) => log[level](extra ?? {}, message),
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  setTimeout(() => process.exit(1), env.SHUTDOWN_TIMEOUT_MS).unref();
  await worker?.stop().catch((error) => log.warn({ err: error }, 'stopping jobs failed'));
  await closeDb(db).catch(() => {});
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
