import { z } from 'zod';

// The router's outputs as they travel over REST: plain JSON, so every Date is an ISO 8601
// string. These describe responses in the OpenAPI document only (the procedures' own types
// stay inferred); test/rest.test.ts holds every real response to them.

const time = z.iso.datetime({ offset: true });
const role = z.enum(['practitioner', 'client']);

export const UserJson = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role,
    externalId: z.string().nullable(),
  })
  .meta({ id: 'User' });

export const TokenJson = z
  .object({ token: z.string(), expiresAt: time })
  .meta({ id: 'Token', description: 'An access token; send it as `Authorization: Bearer …`.' });

export const SessionJson = TokenJson.extend({ user: UserJson }).meta({ id: 'Session' });

export const BookingJson = z
  .object({
    id: z.uuid(),
    practitionerId: z.uuid(),
    clientId: z.uuid(),
    startsAt: time,
    endsAt: time,
    status: z.enum(['confirmed', 'cancelled']),
    conversationId: z.uuid().nullable(),
    practitionerName: z.string(),
    clientName: z.string(),
  })
  .meta({ id: 'Booking' });

export const AttachmentJson = z
  .object({
    id: z.uuid(),
    name: z.string(),
    contentType: z.string(),
    size: z.int().positive(),
    width: z.int().nullable(),
    height: z.int().nullable(),
    url: z.string(),
    thumbnailUrl: z.string().nullable(),
  })
  .meta({ id: 'Attachment' });

export const UploadJson = z
  .object({
    attachment: AttachmentJson,
    upload: z.object({
      url: z.string(),
      method: z.literal('PUT'),
      headers: z.record(z.string(), z.string()),
      expiresAt: time,
    }),
  })
  .meta({ id: 'Upload' });

export const MessageJson = z
  .object({
    id: z.uuid(),
    conversationId: z.uuid(),
    seq: z.int().positive(),
    kind: z.enum(['user', 'system']),
    senderId: z.uuid().nullable(),
    senderName: z.string().nullable(),
    clientId: z.uuid(),
    content: z.string(),
    replyToId: z.uuid().nullable(),
    createdAt: time,
    editedAt: time.nullable(),
    deletedAt: time.nullable(),
    reactions: z.array(
      z.object({ emoji: z.string(), count: z.int().positive(), userIds: z.array(z.uuid()) }),
    ),
    replyTo: z
      .object({
        id: z.uuid(),
        seq: z.int().positive(),
        senderId: z.uuid().nullable(),
        senderName: z.string().nullable(),
        excerpt: z.string(),
        deleted: z.boolean(),
      })
      .nullable(),
    attachments: z.array(AttachmentJson),
  })
  .meta({ id: 'Message' });

export const ConversationJson = z
  .object({
    id: z.uuid(),
    kind: z.enum(['booking', 'direct', 'group']),
    title: z.string().nullable(),
    bookingId: z.uuid().nullable(),
    participants: z.array(z.object({ userId: z.uuid(), name: z.string(), role })),
    createdAt: time,
    booking: z
      .object({ startsAt: time, endsAt: time, status: z.enum(['confirmed', 'cancelled']) })
      .nullable(),
    createdBy: z.uuid().nullable(),
    lastActivityAt: time,
  })
  .meta({ id: 'Conversation' });

export const ConversationSummaryJson = ConversationJson.extend({
  lastMessage: MessageJson.nullable(),
  unreadCount: z.int().min(0),
  muted: z.boolean(),
}).meta({ id: 'ConversationSummary' });

export const ConversationPageJson = z.object({
  items: z.array(ConversationSummaryJson),
  nextCursor: z.string().nullable(),
});

export const MessagePageJson = z.object({
  items: z.array(MessageJson),
  nextCursor: z.int().nullable(),
  newerCursor: z.int().nullable(),
  lastEventId: z.string(),
});

export const RepliesPageJson = z.object({
  items: z.array(MessageJson),
  nextCursor: z.int().nullable(),
});

export const SearchPageJson = z.object({
  items: z.array(
    z.object({
      message: MessageJson,
      conversationId: z.uuid(),
      conversationTitle: z.string(),
      highlights: z.array(z.object({ start: z.int().min(0), end: z.int().min(0) })),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const ContactPageJson = z.object({
  items: z.array(z.object({ id: z.uuid(), name: z.string(), role })),
  nextCursor: z.string().nullable(),
});

export const ReceiptJson = z
  .object({
    userId: z.uuid(),
    lastReadSeq: z.int().min(0),
    readAt: time.nullable(),
    lastDeliveredSeq: z.int().min(0),
    deliveredAt: time.nullable(),
  })
  .meta({ id: 'Receipt' });

export const PresenceJson = z
  .object({
    userId: z.uuid(),
    status: z.enum(['online', 'offline']),
    lastSeenAt: time.nullable(),
  })
  .meta({ id: 'Presence' });
