import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, createDb, migrate } from '@estuary/db';
import { startEmbeddedPostgres } from '@estuary/db/embedded';
import { seed } from '@estuary/db/seed';
import { guard } from './watchdog';

export interface TestDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * A throwaway embedded Postgres with the schema and the demo data, as `pnpm dev` has it.
 * As root, Postgres runs as the `postgres` user, which must be able to enter the folder:
 * mkdtemp makes it 0700, so it is opened to 0755 and the data goes in a subfolder.
 */
export async function startDatabase(): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'estuary-e2e-pg-'));
  await chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres({
    dataDir: join(dir, 'data'),
    persistent: false,
    unsafeFast: true,
  });
  // Fast shutdown (SIGINT) of the postmaster if this run dies without stopping it.
  const postmaster = Number(
    (await readFile(join(dir, 'data', 'postmaster.pid'), 'utf8')).split('\n')[0],
  );
  if (postmaster > 0)
    guard([{ pid: postmaster, group: false, signal: 'SIGINT' }], { removeDir: dir });
  try {
    await migrate(pg.url);
    const db = createDb(pg.url, { max: 2 });
    try {
      await seed(db);
    } finally {
      await closeDb(db);
    }
  } catch (error) {
    await pg.stop().catch(() => {});
    throw error;
  }
  return {
    url: pg.url,
    async stop() {
      await pg.stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
