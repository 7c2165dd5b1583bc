import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { withAcquireTimeout } from './acquire-timeout';
import * as schema from './schema';

export interface CreateDbOptions {
  /** Pool size. postgres.js opens connections lazily, up to this many. */
  max?: number;
  /** Shown in pg_stat_activity, which makes a busy database easier to read. */
  applicationName?: string;
  /** Postgres cancels any statement that runs longer (`statement_timeout`). Default 30 s. */
  statementTimeoutMs?: number;
  /** Postgres ends a session left idle inside a transaction this long. Default 15 s. */
  idleInTransactionTimeoutMs?: number;
  /** A call that waits this long for a free connection fails with DatabaseBusyError. Default 10 s. */
  acquireTimeoutMs?: number;
}

export const DB_TIMEOUT_DEFAULTS = {
  statementTimeoutMs: 30_000,
  idleInTransactionTimeoutMs: 15_000,
  acquireTimeoutMs: 10_000,
} as const;

/** A drizzle database over a postgres.js pool. `db.$client` is the pool; close it with `closeDb`. */
export function createDb(url: string, options: CreateDbOptions = {}) {
  const timeouts = { ...DB_TIMEOUT_DEFAULTS, ...definedOnly(options) };
  const client = postgres(url, {
    max: options.max ?? 10,
    // Notices such as "relation already exists, skipping" are noise, not news.
    onnotice: () => {},
    connection: {
      application_name: options.applicationName ?? 'estuary',
      // The server's own safety nets: no statement, and no forgotten transaction, holds a
      // connection (and its locks) for ever.
      statement_timeout: timeouts.statementTimeoutMs,
      idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs,
    },
  });
  return drizzleOn(withAcquireTimeout(client, timeouts.acquireTimeoutMs));
}

const definedOnly = (options: CreateDbOptions) =>
  Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));

const TIMESTAMPTZ = 1184;

export function drizzleOn(client: postgres.Sql) {
  const db = drizzle({ client, schema, casing: 'snake_case' });
  // drizzle makes postgres.js hand back timestamps as strings, for its own mapping. Raw
  // queries on the hot paths use the pool directly, so give timestamptz its Dates back;
  // drizzle's mapping takes a Date as happily as a string.
  client.options.parsers[TIMESTAMPTZ] = (value: string) => new Date(value);
  client.options.serializers[TIMESTAMPTZ] = (value: Date | string) =>
    (value instanceof Date ? value : new Date(value)).toISOString();
  return db;
}

export type Db = ReturnType<typeof createDb>;
/** The transaction handle drizzle passes to `db.transaction(fn)`; domain functions accept either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export async function closeDb(db: Db, timeoutSeconds = 5): Promise<void> {
  await db.$client.end({ timeout: timeoutSeconds });
}
