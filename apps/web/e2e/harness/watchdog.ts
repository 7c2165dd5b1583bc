import { spawn } from 'node:child_process';

export interface Target {
  pid: number;
  /** Signal the whole process group (services spawned detached lead their own group). */
  group: boolean;
  signal: NodeJS.Signals;
}

// Runs as its own tiny process: once a second it checks that the test process is alive,
// and when it is not, signals the targets, then removes a folder and restores a file. It leaves when the
// targets are gone, or after six hours whatever happens.
const SCRIPT = `
const fs = require('node:fs');
const [parent, spec] = [Number(process.argv[1]), JSON.parse(process.argv[2])];
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const started = Date.now();
const timer = setInterval(() => {
  const live = spec.targets.filter((t) => alive(t.pid));
  if (live.length === 0 || Date.now() - started > 6 * 3600e3) process.exit(0);
  if (alive(parent)) return;
  clearInterval(timer);
  for (const t of live) { try { process.kill(t.group ? -t.pid : t.pid, t.signal); } catch {} }
  setTimeout(() => {
    if (spec.cleanup.removeDir) fs.rmSync(spec.cleanup.removeDir, { recursive: true, force: true });
    const restore = spec.cleanup.restore;
    if (restore && restore.content === null) fs.rmSync(restore.path, { force: true });
    else if (restore) fs.writeFileSync(restore.path, restore.content);
    process.exit(0);
  }, 5000);
}, 1000);
`;

/**
 * Stops what a test run started if the run itself dies without cleaning up (killed by a
 * timeout, a CI cancel, Ctrl-C on the worker). Detached services would otherwise live on,
 * holding ports and the Next dist dir lock.
 */
export interface Cleanup {
  removeDir?: string;
  /** A file the service rewrote, and what it held before (null: it did not exist). */
  restore?: { path: string; content: string | null };
}

export function guard(targets: Target[], cleanup: Cleanup = {}) {
  const watchdog = spawn(
    process.execPath,
    ['-e', SCRIPT, String(process.pid), JSON.stringify({ targets, cleanup })],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();
}
