export {
  type ChatClient,
  type ChatClientOptions,
  CONNECTION_LOST,
  createChatClient,
  defaultRetryDelay,
  MAX_FRAME_BYTES,
} from './client';
export { type FollowHandle, type FollowOptions, followConversation } from './follow';
