import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 150_000,
    reporters: ['default', ['json', { outputFile: '../../.reports/bench.json' }]],
  },
});
