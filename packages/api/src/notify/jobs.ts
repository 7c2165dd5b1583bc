import type { DbOrTx } from '@estuary/db';
import { sql } from 'drizzle-orm';

export interface AddJobOptions {
  runAt?: Date;
  jobKey?: string;
  /** graphile-worker's job_key_mode: 'replace' | 'preserve_run_at' | 'unsafe_dedupe'. */
  jobKeyMode?: 'replace' | 'preserve_run_at';
  maxAttempts?: number;
}

/**
 * Queues a job through graphile-worker's own SQL API, inside the caller's transaction: the
 * job exists exactly when the decision that made it commits.
 */
export async function addJob(
  tx: DbOrTx,
  task: string,
  payload: unknown,
  options: AddJobOptions = {},
) {
  await tx.execute(sql`select graphile_worker.add_job(
    ${task},
    ${JSON.stringify(payload)}::json,
    run_at => ${options.runAt?.toISOString() ?? null}::timestamptz,
    max_attempts => ${options.maxAttempts ?? null}::int,
    job_key => ${options.jobKey ?? null}::text,
    job_key_mode => ${options.jobKeyMode ?? 'replace'}::text)`);
}
