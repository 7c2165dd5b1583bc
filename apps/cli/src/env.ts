import { homedir } from 'node:os';
import { join } from 'node:path';

export interface CliEnv {
  /** apps/web's tRPC endpoint (login and, by default, queries and mutations). */
  httpUrl: string;
  /** apps/ws (subscriptions, and everything with --transport ws). */
  wsUrl: string;
  /** Where the token file lives unless --token-file says otherwise. */
  configDir: string;
  /** Where the user ran the command: pnpm runs scripts elsewhere but keeps it in INIT_CWD. */
  cwd: string;
  /** Colours only on a terminal, and never when NO_COLOR is set (no-color.org). */
  color: boolean;
  /** `service-token` writes straight to the database the servers use (dev: the embedded one). */
  databaseUrl: string | undefined;
  /** The servers' AUTH_SECRET (dev: the generated one), which keys the stored token hashes. */
  authSecret: string | undefined;
  production: boolean;
}

/** The only reader of process.env in apps/cli. Flags override every value here. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): CliEnv {
  const configHome = source.XDG_CONFIG_HOME || join(source.HOME || homedir(), '.config');
  return {
    httpUrl: source.ESTUARY_HTTP_URL || 'http://localhost:3000/api/trpc',
    wsUrl: source.ESTUARY_WS_URL || 'ws://localhost:3001',
    configDir: join(configHome, 'estuary'),
    cwd: source.INIT_CWD || process.cwd(),
    color: !source.NO_COLOR && Boolean(process.stdout.isTTY),
    databaseUrl: source.DATABASE_URL || undefined,
    authSecret: source.AUTH_SECRET || undefined,
    production: source.NODE_ENV === 'production',
  };
}
