import { z } from 'zod';
import {
  AttachmentJson,
  BookingJson,
  ContactPageJson,
  ConversationJson,
  ConversationPageJson,
  ConversationSummaryJson,
  MessageJson,
  MessagePageJson,
  PresenceJson,
  ReceiptJson,
  RepliesPageJson,
  SearchPageJson,
  SessionJson,
  TokenJson,
  UploadJson,
  UserJson,
} from './schemas';

export interface RestRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Relative to the REST base (`/api/v1`); `{name}` segments fill the input field `name`. */
  path: string;
  summary: string;
  /** The response body, as JSON (see ./schemas). */
  output: z.ZodType;
  /** False for the calls that need no token (sign-in, registration). */
  protect?: boolean;
}

/**
 * Every query and mutation of the router that REST serves, by procedure path. Inputs,
 * validation, auth and behaviour are the procedures' own; this only names the route and
 * describes the JSON that comes back. Subscriptions are WebSocket-only. A procedure the
 * router gains must be listed here or in `notOverRest` (test/rest.test.ts checks).
 */
export const restRoutes: Record<string, RestRoute> = {
  'auth.register': {
    method: 'POST',
    path: '/auth/register',
    summary: 'Create an account (open in dev; closed in production unless allowed)',
    output: SessionJson,
    protect: false,
  },
  'auth.login': {
    method: 'POST',
    path: '/auth/login',
    summary: 'Sign in with email and password',
    output: SessionJson,
    protect: false,
  },
  'auth.refresh': {
    method: 'POST',
    path: '/auth/refresh',
    summary: 'A fresh token for the holder of a valid one',
    output: TokenJson,
  },
  'auth.me': { method: 'GET', path: '/auth/me', summary: 'The caller', output: UserJson },

  'booking.create': {
    method: 'POST',
    path: '/bookings',
    summary: 'Book a session (the caller is its practitioner or client)',
    output: BookingJson,
  },
  'auth.logout': {
    method: 'POST',
    path: '/auth/logout',
    summary: "End this token's session (its refresh stops working)",
    output: z.null(),
  },
  'auth.logoutAll': {
    method: 'POST',
    path: '/auth/logout-all',
    summary: 'End every session of the caller',
    output: z.object({ revoked: z.int().min(0) }),
  },
  'booking.list': {
    method: 'GET',
    path: '/bookings',
    summary: "The caller's bookings",
    output: z.array(BookingJson),
  },
  'booking.reschedule': {
    method: 'POST',
    path: '/bookings/{bookingId}/reschedule',
    summary: 'Move a booking (its people, or a service with the `bookings` scope)',
    output: BookingJson,
  },
  'booking.cancel': {
    method: 'POST',
    path: '/bookings/{bookingId}/cancel',
    summary: 'Cancel a booking',
    output: BookingJson,
  },

  'conversation.forBooking': {
    method: 'POST',
    path: '/bookings/{bookingId}/conversation',
    summary: "Get or create a booking's conversation",
    output: ConversationJson,
  },
  'conversation.direct': {
    method: 'POST',
    path: '/conversations/direct',
    summary: 'Get or create a one-to-one conversation',
    output: ConversationJson,
  },
  'conversation.createGroup': {
    method: 'POST',
    path: '/conversations/groups',
    summary: 'Create a group conversation (the caller is always in it)',
    output: ConversationJson,
  },
  'conversation.list': {
    method: 'GET',
    path: '/conversations',
    summary: "The caller's conversations, most recent activity first",
    output: ConversationPageJson,
  },
  'conversation.get': {
    method: 'GET',
    path: '/conversations/{conversationId}',
    summary: 'One conversation',
    output: ConversationJson,
  },
  'conversation.addParticipant': {
    method: 'POST',
    path: '/conversations/{conversationId}/participants',
    summary: 'Add a participant',
    output: ConversationJson,
  },
  'conversation.rename': {
    method: 'PATCH',
    path: '/conversations/{conversationId}',
    summary: 'Rename a group',
    output: ConversationJson,
  },
  'conversation.leave': {
    method: 'POST',
    path: '/conversations/{conversationId}/leave',
    summary: 'Leave a group (your live streams of it end)',
    output: z.null(),
  },
  'conversation.removeParticipant': {
    method: 'DELETE',
    path: '/conversations/{conversationId}/participants/{userId}',
    summary: 'Remove a participant',
    output: ConversationJson,
  },

  'message.list': {
    method: 'GET',
    path: '/conversations/{conversationId}/messages',
    summary: 'A page of history, oldest first; `nextCursor` fetches the page before',
    output: MessagePageJson,
  },
  'message.send': {
    method: 'POST',
    path: '/conversations/{conversationId}/messages',
    summary: 'Send a message (idempotent on clientId)',
    output: MessageJson,
  },
  'message.search': {
    method: 'GET',
    path: '/search',
    summary: "Full-text search over the caller's conversations, best match first",
    output: SearchPageJson,
  },
  'message.replies': {
    method: 'GET',
    path: '/messages/{messageId}/replies',
    summary: 'The direct replies to a message, oldest first',
    output: RepliesPageJson,
  },
  'reaction.add': {
    method: 'POST',
    path: '/messages/{messageId}/reactions',
    summary: 'React with one emoji (idempotent)',
    output: MessageJson,
  },
  'reaction.remove': {
    method: 'DELETE',
    path: '/messages/{messageId}/reactions/{emoji}',
    summary: 'Take your reaction back (idempotent)',
    output: MessageJson,
  },
  'message.sendSystem': {
    method: 'POST',
    path: '/conversations/{conversationId}/system-messages',
    summary:
      'Post a system notice (services with the `system-messages` scope; idempotent on clientId)',
    output: MessageJson,
  },
  'message.edit': {
    method: 'PATCH',
    path: '/messages/{messageId}',
    summary: 'Edit your message',
    output: MessageJson,
  },
  'message.delete': {
    method: 'DELETE',
    path: '/messages/{messageId}',
    summary: 'Delete your message (its content is emptied)',
    output: MessageJson,
  },

  'user.contacts': {
    method: 'GET',
    path: '/contacts',
    summary: 'The people you share a booking or a conversation with',
    output: ContactPageJson,
  },
  'user.upsert': {
    method: 'PUT',
    path: '/users/{externalId}',
    summary:
      "Create or update a platform user by the platform's id (services with the `users` scope)",
    output: UserJson,
  },

  'typing.set': {
    method: 'POST',
    path: '/conversations/{conversationId}/typing',
    summary: 'Say you are typing (lasts 5 s unless refreshed)',
    output: z.null(),
  },
  'receipt.markRead': {
    method: 'POST',
    path: '/conversations/{conversationId}/read',
    summary: 'Move your read watermark forward',
    output: ReceiptJson,
  },
  'receipt.list': {
    method: 'GET',
    path: '/conversations/{conversationId}/receipts',
    summary: "Every participant's read watermark",
    output: z.array(ReceiptJson),
  },
  'presence.list': {
    method: 'GET',
    path: '/conversations/{conversationId}/presence',
    summary: "Participants' presence",
    output: z.array(PresenceJson),
  },

  'attachment.createUpload': {
    method: 'POST',
    path: '/conversations/{conversationId}/attachments',
    summary: 'Ask for an upload: PUT the bytes to `upload.url`, then send a message naming it',
    output: UploadJson,
  },
  'attachment.get': {
    method: 'GET',
    path: '/attachments/{attachmentId}',
    summary: 'An attachment with fresh download URLs (members of its conversation)',
    output: AttachmentJson,
  },
  'receipt.markDelivered': {
    method: 'POST',
    path: '/conversations/{conversationId}/delivered',
    summary: 'Move your delivered watermark forward',
    output: ReceiptJson,
  },
  'conversation.setMuted': {
    method: 'PUT',
    path: '/conversations/{conversationId}/muted',
    summary: 'Mute or unmute a conversation for yourself',
    output: ConversationSummaryJson,
  },
};

/** Procedures REST deliberately does not serve, and why. */
export const notOverRest: Record<string, string> = {
  'notification.vapidPublicKey': 'Web Push subscriptions are made by browsers, through the web app',
  'notification.subscribe': 'Web Push subscriptions are made by browsers, through the web app',
  'notification.unsubscribe': 'Web Push subscriptions are made by browsers, through the web app',
};
