import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // CI sums these JSON reports; ESTUARY_REPORT_DIR lets a second pass write elsewhere.
    reporters: [
      'default',
      ['json', { outputFile: `${process.env.ESTUARY_REPORT_DIR ?? '../../.reports'}/auth.json` }],
    ],
  },
});
