import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['@estuary/db/vitest-global-setup'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: '../../.reports/realtime.json' }]],
  },
});
