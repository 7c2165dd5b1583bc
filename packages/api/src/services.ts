import { randomUUID } from 'node:crypto';
import { TokenService } from '@estuary/auth';
import type { Db } from '@estuary/db';
import { type Bus, createLoader } from '@estuary/realtime';
import { z } from 'zod';
import { type AttachmentConfig, attachmentConfigFromEnv } from './attachments/env';
import { AttachmentService } from './attachments/service';
import { UrlSigner } from './attachments/signing';
import { useAttachmentSigner } from './attachments/urls';
import type { Deps, Log } from './deps';
import { PresenceTracker } from './domain/presence';
import { SendBatcher } from './domain/send/batcher';
import { isSessionAlive } from './domain/sessions';
import { DEFAULT_LIMITS, type Limits, type User } from './domain/types';
import { findUsers } from './domain/users';
import { AccessWatch } from './live/access';
import { MessageFeeds } from './live/feeds';
import { MembershipCache } from './live/membership';
import { DEFAULT_LOGIN_LIMITS, type LoginLimits, LoginThrottle } from './login-throttle';
import { type PlatformAuthOptions, PlatformTokens } from './platform-tokens';
import { RateLimiter } from './rate-limit';
import { withoutParameters } from './safety';
import { ServiceTokens } from './service-tokens';
import { createThrottleStore, type Limiter, rateWithBurst, type ThrottleStore } from './throttle';

export interface ChatServicesOptions {
  db: Db;
  bus: Bus;
  authSecret: string;
  limits?: Partial<Limits>;
  log?: Log;
  /** `auth.register` is open unless this is false (production default). */
  registrationOpen?: boolean;
  /** Track presence: only processes that hold user sockets (apps/ws) do. */
  trackPresence?: boolean;
  nodeId?: string;
  /** Access token life; tests shorten it. */
  accessTokenTtlSeconds?: number;
  /** How often live feeds are checked against Postgres for events the bus lost. */
  feedAuditMs?: number;
  /** How long a user stays online after their last socket closes (reconnects within it are silent). */
  presenceGraceMs?: number;
  /** The booking platform's tokens (AUTH_JWKS_URL…); without it only our own are accepted. */
  platformAuth?: PlatformAuthOptions | null;
  /** Shared limit counters go to Redis when set, else to Postgres (`rate_limits`). */
  redisUrl?: string;
  /** The sign-in throttle (per account and per address). */
  login?: Partial<LoginLimits>;
  /** v2 attachments: storage and limits. Default: from the environment (local disk). */
  attachments?: AttachmentConfig;
  /** The clock attachment URLs are signed and checked against; tests move it. */
  clock?: () => number;
  /** Web Push: the VAPID public key browsers subscribe with (null: push is off). */
  notify?: Partial<NotifySettings>;
}

export interface NotifySettings {
  vapidPublicKey: string | null;
  /** Accept http and private-network push endpoints (tests, local push services). */
  allowInsecureEndpoints: boolean;
}

/** The domain's dependencies, with the concrete services this process built for them. */
export type ServiceDeps = Deps & { sends: SendBatcher; attachments?: AttachmentService };

/** Everything a request needs, built once per process and shared by every context. */
export interface ChatServices {
  deps: ServiceDeps;
  tokens: TokenService;
  limits: Limits;
  registrationOpen: boolean;
  /** Shared by every process (Postgres or Redis), like the login throttle. */
  sendLimiter: Pick<Limiter, 'consume'>;
  mutationLimiter: RateLimiter;
  /** Per-user ceiling on queries. */
  queryLimiter: RateLimiter;
  /** Subscriptions each user holds on this process, across sockets. */
  subscriptionsByUser: Map<string, number>;
  loginThrottle: LoginThrottle;
  /** Whether a server-side session is live (cached 5 s; `forgetSession` drops it here at once). */
  sessionAlive(id: string): Promise<boolean>;
  forgetSession(id: string): void;
  feeds: MessageFeeds;
  access: AccessWatch;
  /** Who is a member of which conversation, checked once and forgotten at any removal. */
  membership: MembershipCache;
  presence: PresenceTracker | null;
  nodeId: string;
  notify: NotifySettings;
  /** Queries and mutations under way, so a shutdown can let them finish. */
  inflight: Inflight;
  /** Set when the process is shutting down: new calls are refused with SERVICE_UNAVAILABLE. */
  draining: boolean;
  /** Cached user lookup for token holders (name and role rarely change; 30 s is fine). */
  getUser(id: string): Promise<User | null>;
  start(): Promise<void>;
  close(): Promise<void>;
  /** Service tokens, checked against Postgres on every call (revocation is immediate). */
  serviceTokens: ServiceTokens;
  /** The platform's tokens, when AUTH_JWKS_URL is set. */
  platform: PlatformTokens | null;
}

export class Inflight {
  count = 0;
  private waiters: (() => void)[] = [];

  enter(): () => void {
    this.count++;
    return () => {
      if (--this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  /** Resolves true once nothing is in flight, or false after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

const USER_CACHE_MS = 30_000;
const uuid = z.uuid();
const USER_CACHE_MAX = 50_000;
const SESSION_CACHE_MS = 5_000;

export function createChatServices(options: ChatServicesOptions): ChatServices {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.log ?? (() => {});
  const base = {
    db: options.db,
    bus: options.bus,
    // Whatever a background task logs, no query parameter reaches the log.
    log: ((level, message, extra) =>
      log(level, message, extra && withoutParameters(extra))) satisfies Log,
  };
  const deps: ServiceDeps = { ...base, sends: new SendBatcher(base) };
  const nodeId = options.nodeId ?? `node-${randomUUID()}`;
  const users = new Map<string, { user: User | null; at: number }>();
  // A connect ramp asks for thousands of users a second: one query per tick for all of them.
  // An id that is no uuid matches nobody, and must not fail the others' query.
  const userLookups = createLoader(async (ids: string[]) => {
    const found = await findUsers(
      options.db,
      ids.filter((id) => uuid.safeParse(id).success),
    );
    return new Map(found.map((u) => [u.id, u]));
  });
  const throttles: ThrottleStore = createThrottleStore({
    db: options.db,
    redisUrl: options.redisUrl,
  });
  const sendLimiter = rateWithBurst(throttles, 'send', limits.sendRatePerSecond, limits.sendBurst);
  const loginThrottle = new LoginThrottle(throttles, { ...DEFAULT_LOGIN_LIMITS, ...options.login });
  const liveSessions = new Map<string, { alive: boolean; at: number }>();
  // A coarse ceiling on every other mutation (typing, receipts…), so no client can flood.
  const mutationLimiter = new RateLimiter(
    Math.max(30, limits.sendRatePerSecond * 6),
    Math.max(60, limits.sendBurst * 3),
  );
  const queryLimiter = new RateLimiter(limits.queryRatePerSecond, limits.queryBurst);
  const presence = options.trackPresence
    ? new PresenceTracker(deps, nodeId, options.presenceGraceMs)
    : null;
  const feeds = new MessageFeeds(deps, options.feedAuditMs);
  const membership = new MembershipCache(deps);
  deps.membership = membership;
  const attachmentConfig = options.attachments ?? attachmentConfigFromEnv();
  const signer = new UrlSigner(options.authSecret, attachmentConfig.publicUrl, options.clock);
  useAttachmentSigner(signer);
  deps.attachments = new AttachmentService(deps, attachmentConfig, signer);
  let sweeper: ReturnType<typeof setInterval> | undefined;

  return {
    deps,
    tokens: new TokenService(options.authSecret, options.accessTokenTtlSeconds),
    limits,
    registrationOpen: options.registrationOpen ?? true,
    sendLimiter,
    mutationLimiter,
    queryLimiter,
    subscriptionsByUser: new Map(),
    loginThrottle,
    async sessionAlive(id) {
      const hit = liveSessions.get(id);
      if (hit && Date.now() - hit.at < SESSION_CACHE_MS) return hit.alive;
      const alive = await isSessionAlive(options.db, id);
      if (liveSessions.size >= USER_CACHE_MAX)
        liveSessions.delete(liveSessions.keys().next().value as string);
      liveSessions.set(id, { alive, at: Date.now() });
      return alive;
    },
    forgetSession(id) {
      liveSessions.delete(id);
    },
    feeds,
    access: new AccessWatch(deps),
    membership,
    presence,
    nodeId,
    notify: {
      vapidPublicKey: options.notify?.vapidPublicKey ?? null,
      allowInsecureEndpoints: options.notify?.allowInsecureEndpoints ?? false,
    },
    inflight: new Inflight(),
    draining: false,
    async getUser(id) {
      const hit = users.get(id);
      if (hit && Date.now() - hit.at < USER_CACHE_MS) return hit.user;
      const user = (await userLookups.load(id)) ?? null;
      if (users.size >= USER_CACHE_MAX) users.delete(users.keys().next().value as string);
      users.set(id, { user, at: Date.now() });
      return user;
    },
    async start() {
      await presence?.start();
      // Uploads never sent are removed after a day; every process may sweep, it is idempotent.
      sweeper = setInterval(() => {
        deps.attachments?.sweep().catch((error: unknown) => {
          deps.log('warn', 'attachment sweep failed', { error: String(error) });
        });
      }, 60 * 60_000);
      sweeper.unref();
    },
    serviceTokens: new ServiceTokens(options.db, options.authSecret),
    platform: options.platformAuth ? new PlatformTokens(options.platformAuth) : null,
    async close() {
      feeds.close();
      membership.close();
      if (sweeper) clearInterval(sweeper);
      mutationLimiter.close();
      queryLimiter.close();
      await throttles.close();
      await presence?.stop();
    },
  };
}
