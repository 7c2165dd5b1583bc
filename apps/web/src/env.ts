import {
  type ChatServicesOptions,
  limitsEnv,
  limitsFromEnv,
  platformAndDatabaseEnv,
  resolveVapidKeys,
} from '@estuary/api';
import { resolveAuthSecret } from '@estuary/auth';
import { devStateDir } from '@estuary/db';
import { z } from 'zod';

const number = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const schema = z.object({
  ...limitsEnv,
  ...platformAndDatabaseEnv,
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: z.url().optional(),
  DATABASE_POOL_SIZE: number(10),
  REDIS_URL: z.url().optional(),
  AUTH_SECRET: z.string().optional(),
  ALLOW_REGISTRATION: z.stringbool().default(false),
  /** Where browsers reach apps/ws. Default: the page's host on port 3001. */
  WS_PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug', 'silent']).default('info'),
  /** Web Push: the same keys as apps/ws (dev: generated beside the auth secret). */
  VAPID_PUBLIC_KEY: z.string().optional(),
  VAPID_PRIVATE_KEY: z.string().optional(),
  VAPID_SUBJECT: z.string().optional(),
  /** Accept http and private-network push endpoints (tests, local push services only). */
  NOTIFY_ALLOW_INSECURE_ENDPOINTS: z.stringbool().default(false),
});

export type WebEnv = z.infer<typeof schema> & {
  AUTH_SECRET: string;
  /** What createChatServices takes, from the variables above. */
  limits: ChatServicesOptions['limits'];
  login: ChatServicesOptions['login'];
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
    ...limitsFromEnv(parsed.data),
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
