import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'e2e/**/*.e2e.test.ts'],
    // The e2e suite starts Postgres, apps/ws and `next dev`, whose first compiles are slow.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // One file at a time: an e2e file owns a whole stack, and the machine has two cores.
    fileParallelism: false,
    // CI sums these JSON reports; ESTUARY_REPORT_DIR lets a second pass write elsewhere.
    reporters: [
      'default',
      ['json', { outputFile: `${process.env.ESTUARY_REPORT_DIR ?? '../../.reports'}/web.json` }],
    ],
  },
});
