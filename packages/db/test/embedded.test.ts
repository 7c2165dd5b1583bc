import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readlink, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { startDevDatabase } from '../src/dev-database';
import { EmbeddedPostgresError, freePort, startEmbeddedPostgres } from '../src/embedded';
import { canEnter, packagedInstall, postgresUser } from '../src/embedded-install';

const exec = promisify(execFile);
const asRoot = userInfo().uid === 0;
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function privateHome(): Promise<string> {
  // mkdtemp makes a 0700 folder, like root's home: the `postgres` user cannot enter it.
  const home = await mkdtemp(join(tmpdir(), 'estuary-home-'));
  dirs.push(home);
  return home;
}

if (!asRoot)
  console.warn('[notice] not root: the tests of embedded Postgres run as root are skipped');

describe.runIf(asRoot)(
  'embedded Postgres, run as root from a folder `postgres` cannot enter',
  () => {
    it('runs the binaries from a copy it can reach, and keeps the data out of the folder', async () => {
      const home = await privateHome();
      // The checkout's binaries inside the private folder (hard links: instant, no disk).
      await exec('cp', ['-al', packagedInstall(), join(home, 'native')]);
      const runAs = await postgresUser();
      expect(canEnter(join(home, 'native', 'bin'), runAs)).toBe(false);

      const pg = await startEmbeddedPostgres({
        dataDir: join(home, 'data'),
        persistent: false,
        unsafeFast: true,
        binaries: join(home, 'native'),
      });
      try {
        expect(pg.dataDir.startsWith(home)).toBe(false);
        expect(canEnter(pg.dataDir, runAs)).toBe(true);
        const data = await stat(pg.dataDir);
        expect(data.uid).toBe(runAs.uid);
        expect(data.mode & 0o777).toBe(0o700);
        const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
        const [row] = await sql<{ user: string }[]>`select current_user as user`;
        expect(row?.user).toBe('postgres');
        await sql.end();
      } finally {
        await pg.stop();
      }
      await expect(stat(pg.dataDir)).rejects.toThrow(/ENOENT/);
    });

    it('runs `pnpm dev`’s database from a checkout in a private home, and keeps its data', async () => {
      const stateDir = join(await privateHome(), 'estuary', '.estuary', 'dev');
      const first = await startDevDatabase({ stateDir });
      const link = join(stateDir, 'pgdata');
      const placed = await readlink(link);
      try {
        expect((await lstat(link)).isSymbolicLink()).toBe(true);
        expect(placed.startsWith(stateDir)).toBe(false);
        const sql = postgres(first.url, { max: 1, onnotice: () => {} });
        await sql`create table kept (n int)`;
        await sql`insert into kept values (7)`;
        await sql.end();
      } finally {
        await first.stop();
      }
      const second = await startDevDatabase({ stateDir });
      try {
        expect(await readlink(link)).toBe(placed);
        const sql = postgres(second.url, { max: 1, onnotice: () => {} });
        const [row] = await sql`select n from kept`;
        expect(row?.n).toBe(7);
        await sql.end();
      } finally {
        await second.stop();
        await rm(placed, { recursive: true, force: true });
      }
    });
  },
);

describe('embedded Postgres failures', () => {
  const oneLine = (error: unknown) => {
    expect(error).toBeInstanceOf(EmbeddedPostgresError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  };

  it('says in one line when its port is taken', async () => {
    const port = await freePort();
    const blocker = net.createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    const home = await mkdtemp(join(tmpdir(), 'estuary-port-'));
    dirs.push(home);
    try {
      const error = await startEmbeddedPostgres({
        dataDir: join(home, 'data'),
        persistent: false,
        unsafeFast: true,
        port,
      }).catch((e: unknown) => e);
      expect(oneLine(error)).toMatch(/port is taken.*DATABASE_URL/);
    } finally {
      blocker.close();
    }
  });

  it('says in one line to delete data made by another Postgres version', async () => {
    const home = await mkdtemp(join(tmpdir(), 'estuary-old-'));
    dirs.push(home);
    const dataDir = join(home, 'data');
    const first = await startEmbeddedPostgres({ dataDir, persistent: true, unsafeFast: true });
    await first.stop();
    // As root the data may live outside `home` (the folder is 0700): clean it up too.
    dirs.push(first.dataDir);
    await writeFile(join(first.dataDir, 'PG_VERSION'), '9.6\n');
    const error = await startEmbeddedPostgres({ dataDir, persistent: true }).catch(
      (e: unknown) => e,
    );
    expect(oneLine(error)).toMatch(/another Postgres version; delete that folder/);
    // It kept the data: deleting it is the developer's call.
    await expect(stat(join(first.dataDir, 'PG_VERSION'))).resolves.toBeTruthy();
  });

  it('says in one line when the binaries are missing', async () => {
    const home = await mkdtemp(join(tmpdir(), 'estuary-nobin-'));
    dirs.push(home);
    await mkdir(join(home, 'native', 'bin'), { recursive: true });
    const error = await startEmbeddedPostgres({
      dataDir: join(home, 'data'),
      persistent: false,
      binaries: join(home, 'native'),
    }).catch((e: unknown) => e);
    expect(oneLine(error)).toMatch(/no initdb in .*reinstall.*DATABASE_URL/);
  });
});
