// The chat domain as plain functions, for other transports (the legacy socket protocol in
// apps/ws/src/legacy, REST, scripts) and tests: the same code the procedures call.
// How the domain talks to Postgres, and why: ./README.md.
export { cancelBooking, createBooking, listBookings, rescheduleBooking } from './bookings';
export {
  addParticipant,
  conversationForBooking,
  createGroup,
  directConversation,
  loadConversation,
  removeParticipant,
  requireParticipant,
} from './conversations';
export { headEventSeq } from './event-log';
export { upsertExternalUser } from './external-users';
export { messageIdAtSeq, messageSeq } from './legacy';
export { deleteMessage, editMessage, listMessages } from './messages';
export { listPresence } from './presence';
export { isOneEmoji, setReaction } from './reactions';
export { listReceipts, markDelivered, markRead } from './receipts';
export { sendMessage } from './send/send';
export { listSummaries } from './summaries';
export { sendSystemMessage } from './system-messages';
export { authenticateUser, findUser, registerUser } from './users';
