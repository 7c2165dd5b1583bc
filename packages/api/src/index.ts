export { serveAttachmentRequest } from './attachments/node-http';
export type { AttachmentService } from './attachments/service';
export { HTTP_MAX_BATCH } from './client-constants';
export {
  type AuthState,
  authenticate,
  bearerToken,
  type Context,
  clientAddress,
  createHttpContext,
  createSocketContext,
} from './context';
export { type Credentials, credentials } from './credentials';
export type { Log } from './deps';
export * as chat from './domain';
export { SERVICE_SCOPES, type ServiceCaller, type ServiceScope } from './domain/callers';
export { ChatError, RetryLaterError, STALE_EVENT_ID } from './domain/errors';
export { pruneEvents } from './domain/event-log';
export {
  createSession,
  revokeSession,
  revokeUserSessions,
  type Session,
  sessionBySecret,
} from './domain/sessions';
export type * from './domain/types';
export { DEFAULT_LIMITS } from './domain/types';
export { authenticateUser } from './domain/users';
export type { MessageEventBatch } from './live/message-stream';
export { PreparedTracked, transformer, wsEncoder } from './live/wire';
export { DEFAULT_LOGIN_LIMITS, type LoginLimits } from './login-throttle';
export type { NotifyConfig, NotifyMetrics } from './notify/config';
export type { PushNotification } from './notify/push';
export { resolveVapidKeys, type VapidKeys } from './notify/vapid';
export { type PlatformAuthOptions, platformAuthFromEnv } from './platform-tokens';
export { isPushable, PUSH, type Pushable, type PushSink } from './push';
export { TokenBucket } from './rate-limit';
export { type AppRouter, appRouter, createAppRouter } from './root';
export { describeError, errorId, internalErrorMessage, isPlainText } from './safety';
export { limitsEnv, limitsFromEnv, platformAndDatabaseEnv } from './server-env';
export {
  isServiceScope,
  isServiceToken,
  type ServiceAccountInfo,
  ServiceTokens,
} from './service-tokens';
export { type ChatServices, type ChatServicesOptions, createChatServices } from './services';
export { createCallerFactory } from './trpc';
