import { migrate } from '@estuary/db/migrate';
import { env, type WebEnv } from '../env';

// Refuse a bad configuration before the first request (a missing or short AUTH_SECRET in
// production, no DATABASE_URL), and bring the schema up to date. Next only logs an error
// thrown here and serves on, so the process exits itself.
let config: WebEnv;
try {
  config = env();
} catch (error) {
  console.error(`[web] refusing to start: ${(error as Error).message}`);
  process.exit(1);
}
if (config.DATABASE_URL) await migrate(config.DATABASE_URL);
