import type { Log, NotifyMetrics } from '@estuary/api';
import { type NotifyWorker, startNotifyWorker } from '@estuary/api/notify';
import type { Db } from '@estuary/db';
import type { WsEnv } from './env';

/** Starts the notification jobs for this process, or says why push or webhooks are off. */
export async function startNotifications(options: {
  env: WsEnv;
  databaseUrl: string;
  db: Db;
  nodeId: string;
  log: Log;
  metrics?: NotifyMetrics;
}): Promise<NotifyWorker | null> {
  const { env, log } = options;
  if (env.pushOffReason) log('warn', env.pushOffReason);
  if (!env.notify.webhook)
    log('info', 'Webhooks are off: set WEBHOOK_URL and WEBHOOK_SECRET to turn them on');
  if (!env.NOTIFY_WORKERS) {
    log(
      'info',
      'notification workers are off here (NOTIFY_WORKERS=false); run them as their own process',
    );
    return null;
  }
  const worker = await startNotifyWorker({
    databaseUrl: options.databaseUrl,
    db: options.db,
    config: env.notify,
    nodeId: options.nodeId,
    log,
    metrics: options.metrics,
    concurrency: env.NOTIFY_CONCURRENCY,
  });
  // With neither channel set, startNotifyWorker starts nothing and says so itself.
  if (env.notify.vapid || env.notify.webhook)
    log('info', 'notification workers started', {
      concurrency: env.NOTIFY_CONCURRENCY,
      push: Boolean(env.notify.vapid),
      webhooks: Boolean(env.notify.webhook),
      delayMs: env.notify.delayMs,
    });
  return worker;
}

export const pendingJobsOf = (db: Db) => async () => {
  const [row] = await db.$client<{ n: number }[]>`
    select count(*)::int as n from graphile_worker.jobs where locked_at is null`;
  return row?.n ?? 0;
};
