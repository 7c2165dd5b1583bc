import { EventEmitter } from 'node:events';
import type { Db } from '@estuary/db';
import {
  Logger,
  makeWorkerUtils,
  type Runner,
  run,
  runMigrations,
  type TaskList,
  type WorkerEvents,
} from 'graphile-worker';
import pg from 'pg';
import type { Log } from '../deps';
import { announce } from './announce';
import { type NotifyConfig, type NotifyMetrics, tasks } from './config';
import { decide } from './decide';
import { type PushJob, sendPush } from './push';
import { sendWebhook, type WebhookJob } from './webhook';

export interface NotifyWorkerOptions {
  databaseUrl: string;
  db: Db;
  config: NotifyConfig;
  /** This process's name: the Postgres application_name of the queue's connections. */
  nodeId: string;
  log: Log;
  metrics?: NotifyMetrics;
  /** Jobs run at once by this process. */
  concurrency?: number;
  /** How often to look for jobs whose time has come (new jobs arrive by LISTEN at once). */
  pollIntervalMs?: number;
  /** How often to look for jobs locked by a process that no longer exists. */
  reapIntervalMs?: number;
}

export interface NotifyWorker {
  stop(): Promise<void>;
}

const conversationOf = (payload: unknown) => {
  const id = (payload as { conversationId?: unknown } | null)?.conversationId;
  if (typeof id !== 'string') throw new Error('payload without conversationId');
  return id;
};

/**
 * Runs the notification jobs on graphile-worker. Installs (or upgrades) the queue's schema
 * first, so the insert trigger starts queueing from then on. With neither Web Push nor
 * webhooks configured there is nothing to deliver: no queue, so no job per sending statement
 * (the trigger does nothing until the schema exists; `pnpm bench` measured that work).
 */
export async function startNotifyWorker(options: NotifyWorkerOptions): Promise<NotifyWorker> {
  const { db, config, log } = options;
  if (!config.vapid && !config.webhook) {
    log('info', 'notification jobs not started: neither Web Push (VAPID) nor webhooks are set');
    return { stop: async () => {} };
  }
  const metrics = options.metrics ?? {};
  const concurrency = options.concurrency ?? 2;
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    application_name: options.nodeId,
    max: concurrency * 2 + 2,
  });
  const onError = (error: Error) =>
    log('warn', 'job queue connection error', { error: String(error) });
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  const logger = new Logger(() => (level, message) => {
    if (level === 'error') log('error', message);
    else if (level === 'warning') log('warn', message);
  });
  await runMigrations({ pgPool: pool, logger });

  const taskList: TaskList = {
    [tasks.announce]: (payload) => announce(db, config, metrics, conversationOf(payload)),
    [tasks.decide]: (payload) => decide(db, config, metrics, conversationOf(payload)),
    [tasks.push]: (payload) => sendPush(db, config, metrics, log, payload as PushJob),
    [tasks.webhook]: (payload) => sendWebhook(config, metrics, payload as WebhookJob),
  };

  // graphile-worker locks jobs under its pool's id; a connection named after that id lives
  // as long as this process does, which is how other processes tell that it has died.
  const events: WorkerEvents = new EventEmitter() as WorkerEvents;
  const beacons: pg.Client[] = [];
  events.on('pool:create', ({ workerPool }) => {
    const beacon = new pg.Client({
      connectionString: options.databaseUrl,
      application_name: `${BEACON}${workerPool.id}`,
    });
    beacon.on('error', onError);
    beacons.push(beacon);
    beacon.connect().catch(onError);
  });
  events.on('job:success', ({ job }) => metrics.job?.('done', job.task_identifier));
  events.on('job:error', ({ job, error }) => {
    if (job.attempts >= job.max_attempts) return;
    metrics.job?.('retried', job.task_identifier);
    log('warn', 'job failed; it will be retried', {
      task: job.task_identifier,
      jobId: job.id,
      attempt: job.attempts,
      error: String(error),
    });
  });
  events.on('job:failed', ({ job, error }) => {
    metrics.job?.('failed', job.task_identifier);
    log('error', 'job failed for good', {
      task: job.task_identifier,
      jobId: job.id,
      attempts: job.attempts,
      error: String(error),
    });
  });
  const runner: Runner = await run({
    pgPool: pool,
    taskList,
    logger,
    events,
    concurrency,
    noHandleSignals: true,
    pollInterval: options.pollIntervalMs ?? 1_000,
  });

  // The runner ends only on stop() or a fatal error; neither may take the process down.
  runner.promise.catch((error: unknown) =>
    log('error', 'the job runner stopped', { error: String(error) }),
  );

  const utils = await makeWorkerUtils({ pgPool: pool, logger });
  const reap = setInterval(
    () =>
      void reapDeadWorkers(pool, utils.forceUnlockWorkers).then(
        (ids) => ids.length && log('warn', 'released the jobs of dead workers', { workers: ids }),
        (error) => log('warn', 'reaping dead workers failed', { error: String(error) }),
      ),
    options.reapIntervalMs ?? 5_000,
  );
  reap.unref();

  return {
    async stop() {
      clearInterval(reap);
      await runner.stop().catch(onError);
      await utils.release();
      await pool.end();
      await Promise.allSettled(beacons.map((b) => b.end()));
    },
  };
}

const BEACON = 'estuary-jobs:';

/**
 * graphile-worker frees a crashed worker's jobs only after 4 hours. Each of our worker pools
 * keeps a connection named after its id; a pool with no such connection is gone with its
 * process, so its jobs are released at once and retried. Jobs locked moments ago are left
 * alone: their pool's connection may still be opening.
 */
async function reapDeadWorkers(
  pool: pg.Pool,
  forceUnlockWorkers: (ids: string[]) => Promise<void>,
): Promise<string[]> {
  const { rows } = await pool.query<{ workerId: string }>(`
    select distinct j.locked_by as "workerId" from graphile_worker.jobs j
    where j.locked_by is not null and j.locked_at < now() - interval '10 seconds'
      and not exists (select 1 from pg_stat_activity a
                      where a.application_name = '${BEACON}' || j.locked_by)`);
  const ids = rows.map((r) => r.workerId);
  if (ids.length > 0) await forceUnlockWorkers(ids);
  return ids;
}
