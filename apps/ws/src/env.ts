import {
  type ChatServicesOptions,
  limitsEnv,
  limitsFromEnv,
  type NotifyConfig,
  platformAndDatabaseEnv,
  resolveVapidKeys,
} from '@estuary/api';
import { resolveAuthSecret } from '@estuary/auth';
import { devStateDir } from '@estuary/db';
import { z } from 'zod';

const number = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const flag = (fallback: boolean) => z.stringbool().default(fallback);

const schema = z.object({
  ...limitsEnv,
  ...platformAndDatabaseEnv,
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3001),
  /** Loopback in dev; all interfaces in production (behind a load balancer). */
  HOST: z.string().optional(),
  DATABASE_URL: z.url().optional(),
  DATABASE_POOL_SIZE: number(20),
  REDIS_URL: z.url().optional(),
  AUTH_SECRET: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ALLOW_REGISTRATION: flag(false),
  WS_PERMESSAGE_DEFLATE: flag(false),
  WS_MAX_PAYLOAD_BYTES: number(64 * 1024),
  /** Unsent bytes above which a socket's subscriptions pause until it drains. */
  WS_BACKPRESSURE_BYTES: number(256 * 1024),
  /** Hard cap on a socket's unsent bytes: past it, it is cut and must resume. */
  WS_MAX_BUFFERED_BYTES: number(4 * 1024 * 1024),
  /** A socket that stays backed up this long is a slow consumer: it is cut and must resume. */
  WS_STALL_TIMEOUT_MS: number(30_000),
  /** Frames a client may send per second (bursts of twice that); past it, it is cut off. */
  WS_MAX_FRAMES_PER_SECOND: number(100),
  /** `lean`: our handler (./lean); `stock`: tRPC's applyWSSHandler, kept for comparison. */
  WS_HANDLER: z.enum(['lean', 'stock']).default('lean'),
  WS_PING_MS: number(30_000),
  WS_PONG_WAIT_MS: number(10_000),
  SHUTDOWN_TIMEOUT_MS: number(10_000),
  EVENT_RETENTION_DAYS: number(30),
  /** Without DATABASE_URL: `wait` for `pnpm dev`'s database task, or `start` an embedded one. */
  ESTUARY_DEV_DB: z.enum(['wait', 'start']).default('start'),
  /** A socket that has not sent its token this long after opening is closed. */
  WS_AUTH_TIMEOUT_MS: number(5_000),
  /** Open sockets per remote address; 0 for no cap (set 0 behind a proxy that hides clients). */
  WS_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).default(256),
  /** Open sockets per user on one process. */
  WS_MAX_SOCKETS_PER_USER: number(20),
  /** Subscriptions per socket, and per user across their sockets on one process. */
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: number(200),
  WS_MAX_SUBSCRIPTIONS_PER_USER: number(400),
  /** /metrics in production: only with `Authorization: Bearer <METRICS_TOKEN>`, or on METRICS_PORT. */
  METRICS_TOKEN: z.string().min(16).optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Unread for this long, a participant is notified (push and webhook). */
  NOTIFY_DELAY_MS: z.coerce.number().int().min(0).default(10_000),
  /** Put message content into pushes and webhooks. */
  NOTIFY_PREVIEW: flag(false),
  /** Allow http and private-network push endpoints (tests, local push services only). */
  NOTIFY_ALLOW_INSECURE_ENDPOINTS: flag(false),
  /** Run the notification jobs in this process (off when they run as their own process). */
  NOTIFY_WORKERS: flag(true),
  NOTIFY_CONCURRENCY: number(2),
  WEBHOOK_URL: z.url().optional(),
  WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'must be whsec_ followed by base64')
    .optional(),
  VAPID_PUBLIC_KEY: z.string().optional(),
  VAPID_PRIVATE_KEY: z.string().optional(),
  VAPID_SUBJECT: z.string().optional(),
});

export type WsEnv = z.infer<typeof schema> & {
  HOST: string;
  /** What createChatServices takes, from the variables above. */
  limits: ChatServicesOptions['limits'];
  login: ChatServicesOptions['login'];
  AUTH_SECRET: string;
  production: boolean;
  notify: NotifyConfig;
  /** Why push is off, when it is. */
  pushOffReason: string | null;
};

/** The only reader of process.env in apps/ws. Throws a readable error for bad configuration. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): WsEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';
  if (production && !env.DATABASE_URL) {
    throw new Error('DATABASE_URL is required with NODE_ENV=production');
  }
  if (env.WEBHOOK_URL && !env.WEBHOOK_SECRET)
    throw new Error('WEBHOOK_SECRET is required with WEBHOOK_URL (whsec_ followed by base64)');
  const vapid = resolveVapidKeys({
    publicKey: env.VAPID_PUBLIC_KEY,
    privateKey: env.VAPID_PRIVATE_KEY,
    subject: env.VAPID_SUBJECT,
    production,
    devStateDir: devStateDir(),
  });
  return {
    ...env,
    ...limitsFromEnv(env),
    production,
    pushOffReason: vapid.reason,
    notify: {
      delayMs: env.NOTIFY_DELAY_MS,
      preview: env.NOTIFY_PREVIEW,
      allowInsecureEndpoints: env.NOTIFY_ALLOW_INSECURE_ENDPOINTS,
      webhook:
        env.WEBHOOK_URL && env.WEBHOOK_SECRET
          ? { url: env.WEBHOOK_URL, secret: env.WEBHOOK_SECRET }
          : null,
      vapid: vapid.keys,
    },
    HOST: env.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    ALLOW_REGISTRATION: production ? env.ALLOW_REGISTRATION : true,
    AUTH_SECRET: resolveAuthSecret({
      secret: env.AUTH_SECRET,
      production,
      devStateDir: devStateDir(),
    }),
  };
}
