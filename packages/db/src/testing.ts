import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { inject } from 'vitest';
import { startEmbeddedPostgres } from './embedded';
import { migrate } from './migrate';

/**
 * Test databases. One Postgres per test run: the one at DATABASE_URL if set, otherwise an
 * embedded one in a temp folder. A migrated template is built once; each test file clones
 * it (`CREATE DATABASE … TEMPLATE`, tens of milliseconds) and drops its clone at the end.
 */

export interface TestCluster {
  /** Superuser URL of a maintenance database on the server. */
  adminUrl: string;
  template: string;
}

/** The cluster the vitest global setup started, as seen from a test file. */
export function testCluster(): TestCluster {
  return (inject as unknown as (key: string) => TestCluster)('pg');
}

const randomName = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** For vitest globalSetup: starts (or reaches) the server and builds the template. */
export async function startTestCluster(
  databaseUrl: string | undefined,
): Promise<TestCluster & { stop(): Promise<void> }> {
  let adminUrl = databaseUrl;
  let stopServer = async () => {};
  if (!adminUrl) {
    const pg = await startEmbeddedPostgres({
      dataDir: await mkdtemp(join(tmpdir(), 'estuary-test-pg-')),
      persistent: false,
      unsafeFast: true,
    });
    adminUrl = pg.url;
    stopServer = pg.stop;
  }
  const template = randomName('estuary_tpl');
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${template}"`);
    await migrate(withDatabase(adminUrl, template));
  } finally {
    await admin.end();
  }
  return {
    adminUrl,
    template,
    async stop() {
      const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await sql.unsafe(`drop database if exists "${template}" with (force)`).catch(() => {});
      await sql.end();
      await stopServer();
    },
  };
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, migrated, empty database of its own for one test file. */
export async function createTestDatabase(
  cluster: TestCluster = testCluster(),
): Promise<TestDatabase> {
  const name = randomName('estuary_test');
  const admin = postgres(cluster.adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}" template "${cluster.template}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(cluster.adminUrl, name),
    name,
    async drop() {
      const sql = postgres(cluster.adminUrl, { max: 1, onnotice: () => {} });
      // `with (force)` (Postgres 13+) ends connections a test left open.
      await sql.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
      await sql.end();
    },
  };
}
