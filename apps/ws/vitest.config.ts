import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['@estuary/db/vitest-global-setup'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each file starts real server processes; running them one at a time keeps a 2-core
    // machine from starving them.
    fileParallelism: false,
    // CI sums these JSON reports; ESTUARY_REPORT_DIR lets a second pass write elsewhere.
    reporters: [
      'default',
      ['json', { outputFile: `${process.env.ESTUARY_REPORT_DIR ?? '../../.reports'}/ws.json` }],
    ],
  },
});
