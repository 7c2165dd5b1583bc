import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['@estuary/db/vitest-global-setup'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each file starts real server processes; running them one at a time keeps a 2-core
    // machine from starving them.
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: '../../.reports/ws.json' }]],
  },
});
