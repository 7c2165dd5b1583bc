export {
  type AuthState,
  authenticate,
  bearerToken,
  type Context,
  createHttpContext,
  createSocketContext,
} from './context';
export * as chat from './domain';
export { ChatError, STALE_EVENT_ID } from './domain/errors';
export { pruneEvents } from './domain/messages';
export type * from './domain/types';
export { DEFAULT_LIMITS } from './domain/types';
export { authenticateUser } from './domain/users';
export type { MessageEventBatch } from './live/message-stream';
export type { Log } from './live/topics';
export { PreparedTracked, transformer, wsEncoder } from './live/wire';
export type { NotifyConfig, NotifyMetrics } from './notify/config';
export type { PushNotification } from './notify/push';
export { resolveVapidKeys, type VapidKeys } from './notify/vapid';
export { type AppRouter, appRouter, createAppRouter } from './root';
export { type ChatServices, type ChatServicesOptions, createChatServices } from './services';
export { createCallerFactory } from './trpc';
