export { serveAttachmentRequest } from './attachments/node-http';
export type { AttachmentService } from './attachments/service';
export {
  type AuthState,
  authenticate,
  bearerToken,
  type Context,
  createHttpContext,
  createSocketContext,
} from './context';
export * as chat from './domain';
export { SERVICE_SCOPES, type ServiceCaller, type ServiceScope } from './domain/callers';
export { ChatError, STALE_EVENT_ID } from './domain/errors';
export { pruneEvents } from './domain/messages';
export type * from './domain/types';
export { DEFAULT_LIMITS } from './domain/types';
export { authenticateUser } from './domain/users';
export type { MessageEventBatch } from './live/message-stream';
export type { Log } from './live/topics';
export { PreparedTracked, transformer, wsEncoder } from './live/wire';
export { type PlatformAuthOptions, platformAuthFromEnv } from './platform-tokens';
export { type AppRouter, appRouter, createAppRouter } from './root';
export {
  isServiceScope,
  isServiceToken,
  type ServiceAccountInfo,
  ServiceTokens,
} from './service-tokens';
export { type ChatServices, type ChatServicesOptions, createChatServices } from './services';
export { createCallerFactory } from './trpc';
