// `pnpm db:seed`: the demo data, into DATABASE_URL or the running dev database.
import { closeDb, createDb } from '../client';
import { startDevDatabase } from '../dev-database';
import { databaseUrlFromEnv } from '../env';
import { migrate } from '../migrate';
import { DEMO_PASSWORD, DEMO_USERS, seed } from '../seed';

const explicit = databaseUrlFromEnv();
const dev = explicit
  ? null
  : await startDevDatabase({ log: (l: string) => console.log(`[db] ${l}`) });
const url = explicit ?? dev?.url;
if (!url) throw new Error('no database');
await migrate(url);
const db = createDb(url, { max: 2 });
await seed(db);
await closeDb(db);
await dev?.stop();
console.log(`Seeded. Demo logins (password "${DEMO_PASSWORD}"):`);
for (const user of DEMO_USERS) console.log(`  ${user.email.padEnd(20)} ${user.role}`);
