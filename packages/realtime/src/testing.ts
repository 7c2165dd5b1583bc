import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort } from '@estuary/db/embedded';
import { redisRequired, redisServerBinFromEnv } from './env';

/**
 * A real redis-server of the test's own, on a free loopback port, that the test can kill
 * and restart. Found on PATH (or REDIS_SERVER_BIN); null when the machine has none.
 */
export function redisServerBinary(): string | null {
  const bin = redisServerBinFromEnv();
  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return bin;
  if (redisRequired())
    throw new Error(`redis-server not found (${bin}) and ESTUARY_REQUIRE_REDIS=1`);
  console.warn(
    `\n  Redis tests skipped: no redis-server (install redis, or set REDIS_SERVER_BIN).\n`,
  );
  return null;
}

export async function startRedis(bin: string, port?: number) {
  const chosen = port ?? (await freePort());
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      bin,
      ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
      child?.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child?.once('exit', () => reject(new Error('redis-server exited')));
    });
  };
  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const current = child;
    child = null;
    if (!current || current.exitCode !== null) return;
    const exited = new Promise((r) => current.once('exit', r));
    current.kill(signal);
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${chosen}`, port: chosen, start, stop };
}
