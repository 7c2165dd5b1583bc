// The chat domain as plain functions, for other transports (a legacy socket protocol, REST,
// scripts) and tests: the same code the procedures call.
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
export { upsertExternalUser } from './external-users';
export { messageIdAtSeq, messageSeq } from './legacy';
export { deleteMessage, editMessage, headEventSeq, listMessages } from './messages';
export { listPresence } from './presence';
export { isOneEmoji, setReaction } from './reactions';
export { listReceipts, markDelivered, markRead } from './receipts';
export { sendMessage } from './send';
export { listSummaries } from './summaries';
export { sendSystemMessage } from './system-messages';
export { authenticateUser, findUser, registerUser } from './users';
