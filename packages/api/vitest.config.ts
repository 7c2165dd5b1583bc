import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['@estuary/db/vitest-global-setup'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CI sums these JSON reports; ESTUARY_REPORT_DIR lets a second pass write elsewhere.
    reporters: [
      'default',
      ['json', { outputFile: `${process.env.ESTUARY_REPORT_DIR ?? '../../.reports'}/api.json` }],
    ],
  },
});
