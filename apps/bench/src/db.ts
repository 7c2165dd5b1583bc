import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenService } from '@estuary/auth';
import { migrate } from '@estuary/db';
import { startEmbeddedPostgres } from '@estuary/db/embedded';
import postgres from 'postgres';
import type { Layout } from './layout';

export interface BenchDb {
  url: string;
  /** The postmaster's pid: its tree's CPU is the database's share of the full stack. */
  pid: number;
  /** Messages persisted so far: the full stack's (one `seq` each) plus the Socket.IO + Postgres baseline's. */
  persisted(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A throwaway cluster with the real, durable settings (fsync and synchronous commit on):
 * persisted-per-second must mean what it means in production.
 */
export async function startDatabase(log: (line: string) => void): Promise<BenchDb> {
  // mkdtemp makes a 0700 folder; as root, Postgres runs as `postgres` and must traverse it.
  const base = mkdtempSync(join(tmpdir(), 'estuary-bench-'));
  chmodSync(base, 0o755);
  const dataDir = join(base, 'pg');
  const pg = await startEmbeddedPostgres({ dataDir, persistent: false, onLog: () => {} });
  const url = pg.url;
  await migrate(url);
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  // The Socket.IO + Postgres baseline's table: what a team would write, history by room.
  await sql`
    create table bench_socketio_messages (
      id bigint generated always as identity primary key,
      room uuid not null,
      sender_id uuid not null,
      client_id uuid not null,
      content text not null,
      created_at timestamptz not null default now()
    )`;
  await sql`create index on bench_socketio_messages (room, id)`;
  const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  log(`postgres ready on port ${pg.port} (pid ${pid}, data in ${dataDir})`);
  return {
    url,
    pid,
    async persisted() {
      const [row] = await sql<{ n: string | null; m: string | null }[]>`
        select (select sum(last_seq) from conversations) as n,
          (select max(id) from bench_socketio_messages) as m`;
      return Number(row?.n ?? 0) + Number(row?.m ?? 0);
    },
    async stop() {
      await sql.end({ timeout: 2 }).catch(() => {});
      await pg.stop().catch(() => {});
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/**
 * Users, conversations and memberships for the whole layout, written straight into the
 * tables in a few statements (the API would take minutes for 10,000 users), then one
 * access token per user, minted with the server's secret as auth.login would.
 */
export async function seedLayout(url: string, layout: Layout, secret: string): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.begin(async (tx) => {
      const ids = layout.users;
      await tx`
        insert into users (id, email, name, role, password_hash)
        select id, 'bench-' || n || '@bench.invalid', 'Bench User ' || n, 'client', 'bench-no-login'
        from unnest(${ids}::uuid[]) with ordinality as t(id, n)`;
      await tx`
        insert into conversations (id, kind, title, created_by)
        select unnest(${layout.rooms.map((r) => r.id)}::uuid[]), 'group', 'bench', null`;
      const conv: string[] = [];
      const user: string[] = [];
      for (const room of layout.rooms) {
        for (const m of room.members) {
          conv.push(room.id);
          user.push(ids[m] as string);
        }
      }
      await tx`
        insert into conversation_participants (conversation_id, user_id)
        select * from unnest(${conv}::uuid[], ${user}::uuid[])`;
    });
  } finally {
    await sql.end({ timeout: 2 });
  }
  const tokens = new TokenService(secret);
  // Long enough for the slowest full run; the server re-checks expiry on every call.
  return Promise.all(
    layout.users.map((id) => tokens.issue(id, 'access', 4 * 3600).then((t) => t.token)),
  );
}

export const newSecret = () => randomBytes(48).toString('base64url');
