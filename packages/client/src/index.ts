export {
  type ChatClient,
  type ChatClientOptions,
  createChatClient,
  defaultRetryDelay,
} from './client';
export { type FollowHandle, type FollowOptions, followConversation } from './follow';
