import { defineConfig } from 'drizzle-kit';

// Only `pnpm db:generate` reads this; it diffs the schema against the committed snapshots
// and needs no database.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './drizzle',
  casing: 'snake_case',
});
