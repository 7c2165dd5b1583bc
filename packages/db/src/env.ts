// The environment the db package's own tools read (the seed script, the test setup). Apps
// have their own env.ts and pass URLs in; nothing else here reads process.env.

/** An explicit Postgres to use instead of the embedded one. */
export const databaseUrlFromEnv = (): string | undefined => process.env.DATABASE_URL || undefined;

/** The environment the embedded Postgres binaries run with: ours, with English messages. */
export const postgresProcessEnv = (): NodeJS.ProcessEnv => ({ ...process.env, LC_MESSAGES: 'C' });
