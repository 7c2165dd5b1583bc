import { z } from 'zod';
import { DEFAULT_LIMITS, type Limits } from './domain/types';
import { DEFAULT_LOGIN_LIMITS, type LoginLimits } from './login-throttle';

// The variables both servers (apps/web and apps/ws) read the same way, as zod fields their
// env.ts spreads into its schema. Only env.ts files read the process environment; this file only says
// what the variables mean, with the library's defaults.

const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Limits and the sign-in throttle (README, "Configuration"). */
export const limitsEnv = {
  MESSAGE_MAX_LENGTH: count(DEFAULT_LIMITS.maxContentLength),
  PAGE_MAX: count(DEFAULT_LIMITS.maxPageSize),
  SEND_RATE_PER_SECOND: count(DEFAULT_LIMITS.sendRatePerSecond),
  SEND_BURST: count(DEFAULT_LIMITS.sendBurst),
  /** Queries per user per second (bursts of QUERY_BURST). */
  QUERY_RATE_PER_SECOND: count(DEFAULT_LIMITS.queryRatePerSecond),
  QUERY_BURST: count(DEFAULT_LIMITS.queryBurst),
  GROUP_MAX_PARTICIPANTS: count(DEFAULT_LIMITS.maxGroupParticipants),
  /** Sign-in throttle: attempts per account and per address in each window (shared store). */
  LOGIN_ATTEMPTS_PER_ACCOUNT: count(DEFAULT_LOGIN_LIMITS.loginAttemptsPerAccount),
  LOGIN_ATTEMPTS_PER_ADDRESS: count(DEFAULT_LOGIN_LIMITS.loginAttemptsPerAddress),
  LOGIN_WINDOW_SECONDS: count(DEFAULT_LOGIN_LIMITS.loginWindowSeconds),
};

/** The booking platform's tokens (see platformAuthFromEnv), and the database's safety nets. */
export const platformAndDatabaseEnv = {
  /** The booking platform's tokens: its JWKS, and the issuer and audience to check. */
  AUTH_JWKS_URL: z.url().optional(),
  AUTH_ISSUER: z.string().optional(),
  AUTH_AUDIENCE: z.string().optional(),
  /** Which claims of a platform token hold the user's email, name and role. */
  AUTH_CLAIM_EMAIL: z.string().default('email'),
  AUTH_CLAIM_NAME: z.string().default('name'),
  AUTH_CLAIM_ROLE: z.string().default('role'),
  /** Database safety nets (see createDb): statement, idle-in-transaction and pool-wait timeouts. */
  DATABASE_STATEMENT_TIMEOUT_MS: count(30_000),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: count(15_000),
  DATABASE_ACQUIRE_TIMEOUT_MS: count(10_000),
};

type LimitsEnv = z.infer<z.ZodObject<typeof limitsEnv>> & {
  /** apps/ws only: how long events stay resumable, and the subscription caps. */
  EVENT_RETENTION_DAYS?: number;
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION?: number;
  WS_MAX_SUBSCRIPTIONS_PER_USER?: number;
};

/** The parsed variables as createChatServices takes them: `limits` and `login`. */
export function limitsFromEnv(env: LimitsEnv): { limits: Partial<Limits>; login: LoginLimits } {
  const limits: Partial<Limits> = {
    maxContentLength: env.MESSAGE_MAX_LENGTH,
    maxPageSize: env.PAGE_MAX,
    sendRatePerSecond: env.SEND_RATE_PER_SECOND,
    sendBurst: env.SEND_BURST,
    queryRatePerSecond: env.QUERY_RATE_PER_SECOND,
    queryBurst: env.QUERY_BURST,
    maxGroupParticipants: env.GROUP_MAX_PARTICIPANTS,
  };
  // Only what is set: an undefined would override the default when the limits are spread.
  if (env.EVENT_RETENTION_DAYS !== undefined) limits.eventRetentionDays = env.EVENT_RETENTION_DAYS;
  if (env.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION !== undefined)
    limits.maxSubscriptionsPerConnection = env.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION;
  if (env.WS_MAX_SUBSCRIPTIONS_PER_USER !== undefined)
    limits.maxSubscriptionsPerUser = env.WS_MAX_SUBSCRIPTIONS_PER_USER;
  return {
    limits,
    login: {
      loginAttemptsPerAccount: env.LOGIN_ATTEMPTS_PER_ACCOUNT,
      loginAttemptsPerAddress: env.LOGIN_ATTEMPTS_PER_ADDRESS,
      loginWindowSeconds: env.LOGIN_WINDOW_SECONDS,
    },
  };
}
