import { defineConfig } from 'tsup';

// One file: the workspace packages (TypeScript source) are bundled in, npm packages stay
// external and load from node_modules.
export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  noExternal: [/^@estuary\//],
});
