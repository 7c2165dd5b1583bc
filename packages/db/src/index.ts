export { DatabaseBusyError, isDatabaseBusy } from './acquire-timeout';
export { closeDb, createDb, type Db, type DbOrTx, drizzleOn, type Tx } from './client';
export { migrate } from './migrate';
export * as schema from './schema';
export { devStateDir, workspaceRoot } from './workspace';
