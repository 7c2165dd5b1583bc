import { resolveVapidKeys } from '@estuary/api';
import { resolveAuthSecret } from '@estuary/auth';
import { devStateDir } from '@estuary/db';
import { z } from 'zod';

const number = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: z.url().optional(),
  DATABASE_POOL_SIZE: number(10),
  REDIS_URL: z.url().optional(),
  AUTH_SECRET: z.string().optional(),
  ALLOW_REGISTRATION: z.stringbool().default(false),
  /** Where browsers reach apps/ws. Default: the page's host on port 3001. */
  WS_PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug', 'silent']).default('info'),
  MESSAGE_MAX_LENGTH: number(4_000),
  PAGE_MAX: number(100),
  SEND_RATE_PER_SECOND: number(5),
  SEND_BURST: number(20),
  /** The booking platform's tokens: its JWKS, and the issuer and audience to check. */
  AUTH_JWKS_URL: z.url().optional(),
  AUTH_ISSUER: z.string().optional(),
  AUTH_AUDIENCE: z.string().optional(),
  /** Which claims of a platform token hold the user's email, name and role. */
  AUTH_CLAIM_EMAIL: z.string().default('email'),
  AUTH_CLAIM_NAME: z.string().default('name'),
  AUTH_CLAIM_ROLE: z.string().default('role'),
  /** Database safety nets (see createDb): statement, idle-in-transaction and pool-wait timeouts. */
  DATABASE_STATEMENT_TIMEOUT_MS: number(30_000),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: number(15_000),
  DATABASE_ACQUIRE_TIMEOUT_MS: number(10_000),
  /** Queries per user per second (bursts of QUERY_BURST). */
  QUERY_RATE_PER_SECOND: number(50),
  QUERY_BURST: number(100),
  /** Sign-in throttle: attempts per account and per address in each window (shared store). */
  LOGIN_ATTEMPTS_PER_ACCOUNT: number(10),
  LOGIN_ATTEMPTS_PER_ADDRESS: number(100),
  LOGIN_WINDOW_SECONDS: number(900),
  GROUP_MAX_PARTICIPANTS: number(100),
  /** Web Push: the same keys as apps/ws (dev: generated beside the auth secret). */
  VAPID_PUBLIC_KEY: z.string().optional(),
  VAPID_PRIVATE_KEY: z.string().optional(),
  VAPID_SUBJECT: z.string().optional(),
  /** Accept http and private-network push endpoints (tests, local push services only). */
  NOTIFY_ALLOW_INSECURE_ENDPOINTS: z.stringbool().default(false),
});

export type WebEnv = z.infer<typeof schema> & {
  AUTH_SECRET: string;
  production: boolean;
  /** null: Web Push is off (production without VAPID keys). */
  vapidPublicKey: string | null;
};

let cached: WebEnv | undefined;

/** The only reader of process.env in apps/web (server side). Throws a readable error. */
export function env(): WebEnv {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const production = parsed.data.NODE_ENV === 'production';
  if (production && !parsed.data.DATABASE_URL) {
    throw new Error('DATABASE_URL is required with NODE_ENV=production');
  }
  const vapid = resolveVapidKeys({
    publicKey: parsed.data.VAPID_PUBLIC_KEY,
    privateKey: parsed.data.VAPID_PRIVATE_KEY,
    subject: parsed.data.VAPID_SUBJECT,
    production,
    devStateDir: devStateDir(),
  });
  cached = {
    ...parsed.data,
    production,
    vapidPublicKey: vapid.keys?.publicKey ?? null,
    ALLOW_REGISTRATION: production ? parsed.data.ALLOW_REGISTRATION : true,
    AUTH_SECRET: resolveAuthSecret({
      secret: parsed.data.AUTH_SECRET,
      production,
      devStateDir: devStateDir(),
    }),
  };
  return cached;
}
