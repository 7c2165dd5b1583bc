import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema';

export interface CreateDbOptions {
  /** Pool size. postgres.js opens connections lazily, up to this many. */
  max?: number;
  /** Shown in pg_stat_activity, which makes a busy database easier to read. */
  applicationName?: string;
}

/** A drizzle database over a postgres.js pool. `db.$client` is the pool; close it with `closeDb`. */
export function createDb(url: string, options: CreateDbOptions = {}) {
  const client = postgres(url, {
    max: options.max ?? 10,
    // Notices such as "relation already exists, skipping" are noise, not news.
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? 'estuary' },
  });
  return drizzleOn(client);
}

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
