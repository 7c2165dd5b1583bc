import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { e2eEnv } from '../env';
import { type Cleanup, guard } from './watchdog';

/** A child process of the harness, with the tail of its output kept for error reports. */
export interface Service {
  name: string;
  child: ChildProcess;
  /** Last lines of stdout and stderr. */
  output(): string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const KEEP_CHARS = 20_000;

/**
 * Spawns a service in its own process group, so stopping it also stops whatever it spawned
 * (next dev runs workers). E2E_VERBOSE=1 echoes its output.
 */
export function startService(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined>; onOrphan?: Cleanup },
): Service {
  const child = spawn(command, args, {
    cwd: options.cwd,
    // Next declares NODE_ENV required on ProcessEnv; the children decide it themselves.
    env: options.env as NodeJS.ProcessEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid) guard([{ pid: child.pid, group: true, signal: 'SIGKILL' }], options.onOrphan);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-KEEP_CHARS);
    if (e2eEnv.verbose) process.stderr.write(`[${name}] ${chunk}`);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );

  return {
    name,
    child,
    output: () => tail,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup(child, signal);
      const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) {
        signalGroup(child, 'SIGKILL');
        await Promise.race([exited, sleep(5_000)]);
      }
    },
  };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Polls a URL until it answers with `ok` (or any status, when `anyStatus`), bounded in time. */
export async function waitForHttp(
  url: string,
  options: { timeoutMs: number; service?: Service; anyStatus?: boolean },
) {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (options.service && options.service.child.exitCode !== null) {
      throw new Error(
        `${options.service.name} exited (${options.service.child.exitCode}) before ${url} answered:\n${options.service.output()}`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      if (res.ok || options.anyStatus) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = String(error);
    }
    await sleep(250);
  }
  throw new Error(
    `${url} did not answer within ${options.timeoutMs} ms (${last})\n${options.service?.output() ?? ''}`,
  );
}
