import { fileURLToPath } from 'node:url';
import { migrate as drizzleMigrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { drizzleOn } from './client';

export const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

// Any constant works; it only has to be the same in every process that migrates.
const MIGRATION_LOCK = 7_461_001;

/**
 * Applies the committed SQL migrations. Several processes (web, ws, tests) may start at
 * once, so an advisory lock makes them take turns instead of racing on the same DDL.
 */
export async function migrate(url: string, folder = migrationsFolder): Promise<void> {
  // One connection: an advisory lock belongs to the session that took it.
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await drizzleMigrate(drizzleOn(sql), { migrationsFolder: folder });
  } finally {
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
    await sql.end({ timeout: 5 });
  }
}
