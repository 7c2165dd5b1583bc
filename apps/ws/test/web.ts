import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inherited } from './env';
import { freePort, SECRET } from './nodes';

const webDir = fileURLToPath(new URL('../../web', import.meta.url));

/**
 * The real apps/web (`next dev`, as `pnpm dev` runs it) on a free port and its own build
 * folder, so it can run beside a developer's dev server. Stopped with its whole process group.
 */
export async function startWeb(databaseUrl: string) {
  const port = await freePort();
  const child = spawn(
    `${webDir}/node_modules/.bin/next`,
    ['dev', '--port', String(port), '--hostname', '127.0.0.1'],
    {
      cwd: webDir,
      detached: true,
      env: {
        ...inherited,
        NODE_ENV: 'development',
        NEXT_TELEMETRY_DISABLED: '1',
        ESTUARY_NEXT_DIST_DIR: '.next/ws-test',
        DATABASE_URL: databaseUrl,
        AUTH_SECRET: SECRET,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-10_000);
  });
  child.stderr?.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-10_000);
  });
  const stop = async () => {
    if (child.exitCode !== null || !child.pid) return;
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
    await exited;
  };
  const url = `http://127.0.0.1:${port}/api/trpc`;
  // The first request compiles the route; on a busy two-core machine that takes a while.
  const deadline = Date.now() + 180_000;
  for (;;) {
    const status = await fetch(`${url}/auth.me`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 401) return { url, stop, output: () => output };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`apps/web did not come up (status ${status}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
