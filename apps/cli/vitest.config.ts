import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['@estuary/db/vitest-global-setup'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    reporters: ['default', ['json', { outputFile: '../../.reports/cli.json' }]],
  },
});
