import type { TestProject } from 'vitest/node';
import { startTestCluster } from './testing';

/** vitest globalSetup for every package whose tests touch Postgres. */
export default async function setup(project: TestProject) {
  // The one place tests read DATABASE_URL: set it to run against a Postgres of your own.
  const cluster = await startTestCluster(process.env.DATABASE_URL);
  const provide = project.provide as unknown as (key: string, value: unknown) => void;
  provide('pg', { adminUrl: cluster.adminUrl, template: cluster.template });
  return () => cluster.stop();
}
