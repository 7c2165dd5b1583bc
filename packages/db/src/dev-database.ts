import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DevState, isAlive, postgresUrl, reachable, readState, stateFile } from './dev-wait';
import { startEmbeddedPostgres } from './embedded';
import { migrate } from './migrate';
import { devStateDir } from './workspace';

export { waitForDevDatabase } from './dev-wait';

export interface DevDatabase {
  url: string;
  /** Stops the cluster if this process started it; otherwise does nothing. */
  stop(): Promise<void>;
}

type Log = (line: string) => void;

/**
 * The dev database: one embedded Postgres per checkout, shared by web and ws. Whoever starts
 * it (normally the `@estuary/db` dev task) writes `db.json` once it is migrated and seeded;
 * the others read that file.
 */

/** The cluster's password is fixed at initdb time, so it lives next to the data. */
function clusterPassword(dir: string): string {
  const file = join(dir, 'pg-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const password = randomBytes(16).toString('hex');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * Starts the dev cluster (or adopts one already running for this checkout), migrates it, and
 * seeds it when it is empty. `seed` is passed in because the seed needs password hashing,
 * which lives above this package.
 */
export async function startDevDatabase(options: {
  seedIfEmpty?: (url: string) => Promise<boolean>;
  log?: Log;
  stateDir?: string;
}): Promise<DevDatabase> {
  const dir = options.stateDir ?? devStateDir();
  const log = options.log ?? (() => {});
  const running = readState(dir);
  if (running && (await reachable(running.url))) {
    log('dev database already running; using it');
    return { url: running.url, stop: async () => {} };
  }

  const password = clusterPassword(dir);
  const dataDir = join(dir, 'pgdata');
  const orphan = orphanedPostmaster(dataDir);
  let stop = async () => {};
  let url: string;
  if (orphan && (await reachable(postgresUrl(orphan.port, password)))) {
    // A previous `pnpm dev` was killed hard and its Postgres lived on: adopt it.
    url = postgresUrl(orphan.port, password);
    log(`adopted the running dev Postgres on 127.0.0.1:${orphan.port}`);
  } else {
    const pg = await startEmbeddedPostgres({
      dataDir,
      persistent: true,
      password,
      onLog: () => {},
    });
    url = pg.url;
    stop = pg.stop;
    log(`started embedded Postgres on 127.0.0.1:${pg.port} (data: ${pg.dataDir})`);
  }

  await migrate(url);
  if (options.seedIfEmpty && (await options.seedIfEmpty(url))) log('seeded the demo data');
  writeFileSync(stateFile(dir), JSON.stringify({ url, ownerPid: process.pid } satisfies DevState), {
    mode: 0o600,
  });
  return {
    url,
    stop: async () => {
      rmSync(stateFile(dir), { force: true });
      await stop();
    },
  };
}

function orphanedPostmaster(dataDir: string): { port: number } | null {
  try {
    const lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    return pid > 0 && port > 0 && isAlive(pid) ? { port } : null;
  } catch {
    return null;
  }
}
