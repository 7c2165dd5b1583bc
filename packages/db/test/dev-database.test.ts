import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { startDevDatabase, waitForDevDatabase } from '../src/dev-database';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the dev database', () => {
  it('starts embedded Postgres, keeps its data, and lets other processes find it', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'estuary-dev-'));
    dirs.push(stateDir);
    // mkdtemp makes it 0700; run as root, Postgres runs as another user and must get in.
    await chmod(stateDir, 0o755);
    const seeded: string[] = [];
    const first = await startDevDatabase({
      stateDir,
      seedIfEmpty: async (url) => {
        seeded.push(url);
        return true;
      },
    });
    try {
      expect(seeded).toHaveLength(1);
      // What web and ws do while `pnpm dev` runs: find the running cluster from its state file.
      expect(await waitForDevDatabase({ stateDir, timeoutMs: 5_000 })).toBe(first.url);
      const again = await startDevDatabase({ stateDir });
      expect(again.url).toBe(first.url);
      const sql = postgres(first.url, { max: 1 });
      await sql`create table kept (n int)`;
      await sql`insert into kept values (42)`;
      await sql.end();
      expect(JSON.parse(await readFile(join(stateDir, 'db.json'), 'utf8')).url).toBe(first.url);
    } finally {
      await first.stop();
    }
    // Restart on the same folder: the data survived.
    const second = await startDevDatabase({ stateDir });
    try {
      const sql = postgres(second.url, { max: 1 });
      const [row] = await sql`select n from kept`;
      expect(row?.n).toBe(42);
      await sql.end();
    } finally {
      await second.stop();
    }
  });

  it('says what to do when no dev database comes up', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'estuary-dev-none-'));
    dirs.push(stateDir);
    await expect(waitForDevDatabase({ stateDir, timeoutMs: 300 })).rejects.toThrow(
      /pnpm dev|DATABASE_URL/,
    );
  });
});
