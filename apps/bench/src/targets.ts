import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from '@estuary/db/embedded';
import { childEnv } from './env';
import type { Protocol } from './loadgen/messages';

export type TargetName = 'rawWs' | 'socketIo' | 'trpcBare' | 'socketIoPg' | 'fullStack';
export const TARGETS: TargetName[] = ['rawWs', 'socketIo', 'trpcBare', 'socketIoPg', 'fullStack'];

/** Targets that write to the bench's Postgres (its CPU and persisted messages are measured). */
export const USES_DATABASE: ReadonlySet<TargetName> = new Set(['socketIoPg', 'fullStack']);

export const LABELS: Record<TargetName, string> = {
  rawWs: 'bare ws',
  socketIo: 'Socket.IO',
  trpcBare: 'stock tRPC',
  socketIoPg: 'Socket.IO + Postgres',
  fullStack: 'full stack',
};

export const PROTOCOL: Record<TargetName, Protocol> = {
  rawWs: 'raw',
  socketIo: 'socketio',
  trpcBare: 'trpc',
  socketIoPg: 'socketio',
  // Our clients subscribe to the batched stream (the web app and @estuary/client do).
  fullStack: 'trpcBatch',
};

const here = dirname(fileURLToPath(import.meta.url));
export const benchRoot = join(here, '..');
export const repoRoot = join(benchRoot, '..', '..');
export const wsAppDir = join(repoRoot, 'apps', 'ws');
/** tsx as an --import hook: TypeScript runs in the same process, so the pid we measure is the server's. */
export const tsxImport = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface RunningServer {
  name: TargetName;
  pid: number;
  url: string;
  /** Writes a heap snapshot (needs heapDir) and returns its path. */
  heapSnapshot(label: string): Promise<string>;
  stop(): Promise<void>;
}

export interface StartOptions {
  profileDir: string | null;
  logFile: string;
  /** For the full stack and Socket.IO + Postgres. */
  databaseUrl?: string;
  authSecret?: string;
  /** Run apps/ws from source through tsx instead of its tsup build. */
  fromSource?: boolean;
  /** Allow heap snapshots on SIGUSR2, written to this folder. */
  heapDir?: string | null;
  /** Extra environment for apps/ws (experiments: DATABASE_POOL_SIZE=4, WS_PERMESSAGE_DEFLATE…). */
  wsEnv?: Record<string, string>;
}

export async function startServer(name: TargetName, options: StartOptions): Promise<RunningServer> {
  const port = await freePort();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  // No --cpu-prof-name: under tsx a loader thread writes a profile of its own, and a fixed
  // name would let it overwrite the main thread's. Profiles are renamed after exit.
  const prof = [
    ...(options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : []),
    ...(options.heapDir
      ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${options.heapDir}`]
      : []),
  ];
  let args: string[];
  let env = childEnv();
  if (name === 'fullStack') {
    const entry = options.fromSource
      ? ['--import', tsxImport, join(wsAppDir, 'src', 'main.ts')]
      : [join(wsAppDir, 'dist', 'main.js')];
    args = [...prof, ...entry];
    env = childEnv({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: options.databaseUrl ?? '',
      AUTH_SECRET: options.authSecret ?? '',
      LOG_LEVEL: 'warn',
      // The per-user limits guard against abuse; a benchmark is deliberate abuse.
      SEND_RATE_PER_SECOND: '1000000',
      SEND_BURST: '1000000',
      // Every load-generator socket comes from 127.0.0.1.
      WS_MAX_CONNECTIONS_PER_ADDRESS: '0',
      ...options.wsEnv,
    });
  } else {
    const file = {
      rawWs: 'raw-ws.ts',
      socketIo: 'socket-io.ts',
      trpcBare: 'trpc-bare.ts',
      socketIoPg: 'socket-io-pg.ts',
    }[name];
    const server = join(benchRoot, 'src', 'servers', file);
    args = [...prof, '--import', tsxImport, server, String(port)];
    if (name === 'socketIoPg') args.push(options.databaseUrl ?? '');
  }
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: name === 'fullStack' ? wsAppDir : benchRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe', ...(name === 'fullStack' ? [] : ['ipc' as const])],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  await waitHealthy(port, exited, name, options.logFile);
  return {
    name,
    pid: child.pid ?? -1,
    url: `ws://127.0.0.1:${port}`,
    async heapSnapshot(label) {
      const dir = options.heapDir;
      if (!dir || !child.pid) throw new Error('heap snapshots are off');
      const before = new Set(readdirSync(dir));
      child.kill('SIGUSR2');
      // The server writes it synchronously: wait for a new file whose size stops changing.
      let size = -1;
      for (let i = 0; i < 600; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
        if (!file) continue;
        const now = statSync(join(dir, file)).size;
        if (now > 0 && now === size) {
          const target = join(dir, `${name}-${stamp}-${label}.heapsnapshot`);
          renameSync(join(dir, file), target);
          return target;
        }
        size = now;
      }
      throw new Error('heap snapshot did not appear within 5 minutes');
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      // Generous: a busy server drains its calls, and a long CPU profile takes a while to write.
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
      log.end();
      if (options.profileDir && child.pid)
        keepMainThreadProfile(options.profileDir, child.pid, `${name}-${stamp}`);
    },
  };
}

/** Node names profiles CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main one. */
function keepMainThreadProfile(dir: string, pid: number, base: string) {
  for (const file of readdirSync(dir)) {
    const match = new RegExp(`^CPU\\..*\\.${pid}\\.(\\d+)\\.\\d+\\.cpuprofile$`).exec(file);
    if (!match) continue;
    if (match[1] === '0') renameSync(join(dir, file), join(dir, `${base}.cpuprofile`));
    else rmSync(join(dir, file));
  }
}

async function waitHealthy(
  port: number,
  exited: Promise<number | null>,
  name: string,
  logFile: string,
) {
  let dead: number | null | undefined;
  void exited.then((code) => {
    dead = code;
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (dead !== undefined)
      throw new Error(`${name} exited with code ${dead} while starting; see ${logFile}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not answer /healthz within 60 s; see ${logFile}`);
}

/** `pnpm --filter @estuary/ws build`, run as its tsup directly (no pnpm needed at run time). */
export async function buildWs(logFile: string): Promise<void> {
  const tsup = join(wsAppDir, 'node_modules', 'tsup', 'dist', 'cli-default.js');
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [tsup], {
    cwd: wsAppDir,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`building apps/ws failed (exit ${code}); see ${logFile}`);
}
