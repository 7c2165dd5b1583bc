export {
  type ChatClient,
  type ChatClientOptions,
  CONNECTION_LOST,
  createChatClient,
  defaultRetryDelay,
  MAX_FRAME_BYTES,
} from './client';
export { DeliveryMarker } from './delivery';
export { type FollowHandle, type FollowOptions, followConversation } from './follow';
