import { readMigrationFiles } from 'drizzle-orm/migrator';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/migrate';
import { migrations } from '../src/migrations.generated';
import { testCluster, withDatabase } from '../src/testing';

const cluster = testCluster();
const name = `estuary_empty_${Date.now()}`;
const url = withDatabase(cluster.adminUrl, name);
const admin = postgres(cluster.adminUrl, { max: 1, onnotice: () => {} });

afterAll(async () => {
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

describe('migrations', () => {
  it('apply to an empty database, and a second run changes nothing', async () => {
    await admin.unsafe(`create database "${name}"`);
    await migrate(url);
    const sql = postgres(url, { max: 1 });
    const tables = await sql<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public' order by 1`;
    expect(tables.map((t) => t.table_name)).toEqual([
      'attachments',
      'bookings',
      'bus_payloads',
      'conversation_participants',
      'conversations',
      'message_events',
      'message_reactions',
      'messages',
      'nodes',
      'presence_connections',
      'push_subscriptions',
      'rate_limits',
      'service_accounts',
      'sessions',
      'users',
    ]);
    // Search folds accents and case through the unaccent extension.
    const [folded] = await sql<{ v: string }[]>`
      select to_tsvector('estuary_search', 'Café CRÈME')::text as v`;
    expect(folded?.v).toBe("'cafe':1 'creme':2");
    const applied = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
    await migrate(url);
    const again = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
    expect(again[0]?.n).toBe(applied[0]?.n);
    expect(applied[0]?.n).toBe(migrations.length);
    await sql.end();
  });

  it('runs safely from several processes at once', async () => {
    const other = `${name}_race`;
    await admin.unsafe(`create database "${other}"`);
    try {
      await Promise.all([1, 2, 3].map(() => migrate(withDatabase(cluster.adminUrl, other))));
      const sql = postgres(withDatabase(cluster.adminUrl, other), { max: 1 });
      const [row] = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
      expect(row?.n).toBe(migrations.length);
      await sql.end();
    } finally {
      await admin.unsafe(`drop database if exists "${other}" with (force)`);
    }
  });

  it('embedded copy matches the committed SQL (run `pnpm db:generate` if not)', () => {
    const folder = new URL('../drizzle', import.meta.url).pathname;
    expect(migrations).toEqual(readMigrationFiles({ migrationsFolder: folder }));
  });
});
