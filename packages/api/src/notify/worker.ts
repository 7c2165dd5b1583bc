import type { Db } from '@estuary/db';
import {
  Logger,
  makeWorkerUtils,
  type Runner,
  type RunnerOptions,
  run,
  runMigrations,
  type TaskList,
} from 'graphile-worker';
import pg from 'pg';
import type { Log } from '../live/topics';
import { announce } from './announce';
import { type NotifyConfig, type NotifyMetrics, tasks } from './config';
import { decide } from './decide';
import { type PushJob, sendPush } from './push';
import { sendWebhook, type WebhookJob } from './webhook';

export interface NotifyWorkerOptions {
  databaseUrl: string;
  db: Db;
  config: NotifyConfig;
  /**
   * This process's name; it is the Postgres application_name of every connection, and the
   * prefix of its worker ids, which is how other processes tell that it has died.
   */
  nodeId: string;
  log: Log;
  metrics?: NotifyMetrics;
  /** Jobs run at once by this process (one graphile-worker runner each). */
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
 * first, so the insert trigger starts queueing from then on.
 */
export async function startNotifyWorker(options: NotifyWorkerOptions): Promise<NotifyWorker> {
  const { db, config, log } = options;
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

  const runners: Runner[] = [];
  for (let i = 0; i < concurrency; i++) {
    const runner = await run({
      pgPool: pool,
      taskList,
      logger,
      concurrency: 1,
      noHandleSignals: true,
      pollInterval: options.pollIntervalMs ?? 1_000,
      // One worker per runner, so its id can name this process (see reapDeadWorkers).
      workerId: `${options.nodeId}~${i}`,
    } as RunnerOptions);
    runner.events.on('job:success', ({ job }) => metrics.job?.('done', job.task_identifier));
    runner.events.on('job:error', ({ job, error }) => {
      if (job.attempts >= job.max_attempts) return;
      metrics.job?.('retried', job.task_identifier);
      log('warn', 'job failed; it will be retried', {
        task: job.task_identifier,
        jobId: job.id,
        attempt: job.attempts,
        error: String(error),
      });
    });
    runner.events.on('job:failed', ({ job, error }) => {
      metrics.job?.('failed', job.task_identifier);
      log('error', 'job failed for good', {
        task: job.task_identifier,
        jobId: job.id,
        attempts: job.attempts,
        error: String(error),
      });
    });
    runners.push(runner);
  }

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
      await Promise.allSettled(runners.map((r) => r.stop()));
      await utils.release();
      await pool.end();
    },
  };
}

/**
 * graphile-worker frees a crashed worker's jobs only after 4 hours. Ours are named
 * `<process>~<n>`, and every process keeps connections open under its own application_name;
 * a process with no connection left is gone, so its jobs are released at once and retried.
 */
async function reapDeadWorkers(
  pool: pg.Pool,
  forceUnlockWorkers: (ids: string[]) => Promise<void>,
): Promise<string[]> {
  const { rows } = await pool.query<{ workerId: string }>(`
    select distinct j.locked_by as "workerId" from graphile_worker.jobs j
    where j.locked_by like '%~%'
      and not exists (select 1 from pg_stat_activity a
                      where a.application_name = split_part(j.locked_by, '~', 1))`);
  const ids = rows.map((r) => r.workerId);
  if (ids.length > 0) await forceUnlockWorkers(ids);
  return ids;
}
