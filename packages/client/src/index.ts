export {
  type ChatClient,
  type ChatClientOptions,
  CONNECTION_LOST,
  createChatClient,
  MAX_FRAME_BYTES,
} from './client';
export { DeliveryMarker } from './delivery';
export {
  backoffDelay,
  FATAL_CODES,
  type FollowEventsOptions,
  type FollowHandle,
  type FollowOptions,
  followConversation,
  followEvents,
} from './follow';
