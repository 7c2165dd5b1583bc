// `pnpm dev`'s database task: runs the embedded Postgres that web and ws share, until stopped.
import { startDevDatabase } from '../dev-database';
import { seedIfEmpty } from '../seed';

const log = (line: string) => console.log(`[db] ${line}`);
const database = await startDevDatabase({ seedIfEmpty, log }).catch((error: unknown) => {
  // One line that says what to do (EmbeddedPostgresError's messages do), not a stack trace.
  console.error(`[db] could not start the dev database: ${(error as Error).message}`);
  process.exit(1);
});
log('ready');

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await database.stop();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
// Keep the task alive: turbo treats it as a persistent dev task.
setInterval(() => {}, 1 << 30);
