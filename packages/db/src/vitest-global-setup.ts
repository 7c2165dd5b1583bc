import type { TestProject } from 'vitest/node';
import { databaseUrlFromEnv } from './env';
import { startTestCluster } from './testing';

/** vitest globalSetup for every package whose tests touch Postgres. */
export default async function setup(project: TestProject) {
  // Set DATABASE_URL to run the tests against a Postgres of your own.
  const cluster = await startTestCluster(databaseUrlFromEnv());
  const provide = project.provide as unknown as (key: string, value: unknown) => void;
  provide('pg', { adminUrl: cluster.adminUrl, template: cluster.template });
  return () => cluster.stop();
}
