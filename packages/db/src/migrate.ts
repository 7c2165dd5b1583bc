import type { PgDialect, PgSession } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { drizzleOn } from './client';
import { migrations } from './migrations.generated';

// Any constant works; it only has to be the same in every process that migrates.
const MIGRATION_LOCK = 7_461_001;

/**
 * Applies the committed SQL migrations (embedded at generate time, so this works from any
 * bundle). Several processes (web, ws, tests) may start at once, so an advisory lock makes
 * them take turns instead of racing on the same DDL.
 */
export async function migrate(url: string): Promise<void> {
  // One connection: an advisory lock belongs to the session that took it.
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    // What drizzle's own migrator does once it has read the folder; `dialect` and `session`
    // are typed private but are the migrator's documented path.
    const db = drizzleOn(sql) as unknown as { dialect: PgDialect; session: PgSession };
    await db.dialect.migrate(migrations, db.session, { migrationsFolder: '' });
  } finally {
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
    await sql.end({ timeout: 5 });
  }
}
