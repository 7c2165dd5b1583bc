import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['@estuary/db/vitest-global-setup'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // CI sums these JSON reports; ESTUARY_REPORT_DIR lets a second pass write elsewhere.
    reporters: [
      'default',
      ['json', { outputFile: `${process.env.ESTUARY_REPORT_DIR ?? '../../.reports'}/cli.json` }],
    ],
  },
});
