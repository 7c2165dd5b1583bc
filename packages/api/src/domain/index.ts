// The chat domain as plain functions, for other transports (a legacy socket protocol, REST,
// scripts) and tests: the same code the procedures call.
export { cancelBooking, createBooking, listBookings } from './bookings';
export {
  addParticipant,
  conversationForBooking,
  createGroup,
  directConversation,
  loadConversation,
  removeParticipant,
  requireParticipant,
} from './conversations';
export { deleteMessage, editMessage, listMessages } from './messages';
export { listPresence } from './presence';
export { listReceipts, markDelivered, markRead } from './receipts';
export { sendMessage } from './send';
export { listSummaries } from './summaries';
export { authenticateUser, findUser, registerUser } from './users';
