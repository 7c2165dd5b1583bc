import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const userRole = pgEnum('user_role', ['practitioner', 'client']);
export const bookingStatus = pgEnum('booking_status', ['confirmed', 'cancelled']);
export const conversationKind = pgEnum('conversation_kind', ['booking', 'direct', 'group']);
export const messageKind = pgEnum('message_kind', ['user', 'system']);
export const messageEventType = pgEnum('message_event_type', [
  'message.created',
  'message.edited',
  'message.deleted',
  'message.reacted',
]);

export const users = pgTable(
  'users',
  {
    id: uuid().primaryKey().defaultRandom(),
    // Stored lower-cased; the unique index is what makes registration race-free.
    email: text().notNull(),
    name: text().notNull(),
    role: userRole().notNull(),
    passwordHash: text().notNull(),
    lastSeenAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
    // The booking platform's id for users who arrive with its tokens or through user.upsert.
    externalId: text(),
  },
  (t) => [
    uniqueIndex('users_email_key').on(t.email),
    uniqueIndex('users_external_id_key').on(t.externalId),
  ],
);

export const bookings = pgTable(
  'bookings',
  {
    id: uuid().primaryKey().defaultRandom(),
    practitionerId: uuid()
      .notNull()
      .references(() => users.id),
    clientId: uuid()
      .notNull()
      .references(() => users.id),
    startsAt: timestamp({ withTimezone: true }).notNull(),
    endsAt: timestamp({ withTimezone: true }).notNull(),
    status: bookingStatus().notNull().default('confirmed'),
    createdAt: createdAt(),
  },
  (t) => [
    index('bookings_practitioner_idx').on(t.practitionerId, t.startsAt),
    index('bookings_client_idx').on(t.clientId, t.startsAt),
    check('bookings_ends_after_start', sql`${t.endsAt} > ${t.startsAt}`),
  ],
);

export const conversations = pgTable(
  'conversations',
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: conversationKind().notNull(),
    title: text(),
    bookingId: uuid().references(() => bookings.id),
    // "smaller-uuid:larger-uuid" for direct chats, so one pair has one conversation.
    directKey: text(),
    // The row lock on this row serialises writers of one conversation: both counters are
    // bumped in the write transaction, so commit order equals seq order.
    lastSeq: integer().notNull().default(0),
    lastEventSeq: integer().notNull().default(0),
    lastActivityAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    // Messages up to this seq have been handed to the notification jobs (webhooks, pushes).
    announcedSeq: integer().notNull().default(0),
    createdBy: uuid().references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('conversations_booking_key').on(t.bookingId),
    uniqueIndex('conversations_direct_key').on(t.directKey),
  ],
);

export const conversationParticipants = pgTable(
  'conversation_participants',
  {
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id),
    // The read watermark: everything up to and including this seq has been read.
    lastReadSeq: integer().notNull().default(0),
    readAt: timestamp({ withTimezone: true }),
    joinedAt: createdAt(),
    // The delivered watermark: this participant's devices have received up to this seq.
    lastDeliveredSeq: integer().notNull().default(0),
    deliveredAt: timestamp({ withTimezone: true }),
    muted: boolean().notNull().default(false),
    // last_read_seq when they were last notified: one notification until they read again.
    notifiedReadSeq: integer(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.userId] }),
    index('conversation_participants_user_idx').on(t.userId),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    seq: integer().notNull(),
    // Null for system messages (kind 'system'): they have no sender.
    senderId: uuid().references(() => users.id),
    clientId: uuid().notNull(),
    content: text().notNull(),
    replyToId: uuid().references((): AnyPgColumn => messages.id),
    createdAt: createdAt(),
    editedAt: timestamp({ withTimezone: true }),
    deletedAt: timestamp({ withTimezone: true }),
    kind: messageKind().notNull().default('user'),
  },
  (t) => [
    uniqueIndex('messages_conversation_seq_key').on(t.conversationId, t.seq),
    uniqueIndex('messages_sender_client_key').on(t.senderId, t.clientId),
    // System messages are idempotent on clientId alone (they have no sender).
    uniqueIndex('messages_system_client_key').on(t.clientId).where(sql`${t.kind} = 'system'`),
    check('messages_sender_by_kind', sql`(${t.kind} = 'system') = (${t.senderId} is null)`),
    // `message.replies`: the direct replies to one message, oldest first.
    index('messages_reply_to_idx').on(t.replyToId, t.seq),
  ],
);

/**
 * The per-conversation event log that makes `message.onEvent` resumable: `seq` is the
 * tracked event id. Payloads are read from `messages` at replay time, so a deleted
 * message's content is never replayed.
 */
export const messageEvents = pgTable(
  'message_events',
  {
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    seq: integer().notNull(),
    type: messageEventType().notNull(),
    messageId: uuid()
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.seq] }),
    index('message_events_created_idx').on(t.createdAt),
  ],
);

/** One row per (process, user) with open sockets: presence that survives any one process. */
export const presenceConnections = pgTable(
  'presence_connections',
  {
    nodeId: text().notNull(),
    userId: uuid()
      .notNull()
      .references(() => users.id),
    connections: integer().notNull(),
    updatedAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.nodeId, t.userId] }),
    index('presence_connections_user_idx').on(t.userId),
  ],
);

/** Live processes. Presence rows of a node whose heartbeat is stale are ignored and swept. */
export const nodes = pgTable('nodes', {
  id: text().primaryKey(),
  heartbeatAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  startedAt: createdAt(),
});

/** Bus payloads too large for NOTIFY (8,000 bytes) travel by reference through this table. */
export const busPayloads = pgTable('bus_payloads', {
  id: bigserial({ mode: 'number' }).primaryKey(),
  payload: text().notNull(),
  createdAt: createdAt(),
});

/**
 * Internal services that call the router (the booking platform's backend). The token is
 * shown once; only its HMAC (keyed with AUTH_SECRET) is stored. Revoked rows stay, for audit.
 */
export const serviceAccounts = pgTable(
  'service_accounts',
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    tokenHash: text().notNull(),
    scopes: text().array().notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex('service_accounts_token_hash_key').on(t.tokenHash),
    // One live token per name; minting again under a name replaces it.
    uniqueIndex('service_accounts_live_name_key').on(t.name).where(sql`${t.revokedAt} is null`),
  ],
);

/**
 * Browser and API sign-ins, server side, so they can be revoked. The cookie (or a token
 * bound to it) holds a random secret; only its SHA-256 is stored here.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text().notNull().unique(),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/**
 * Counters of rate-limiter-flexible's RateLimiterPostgres (login throttle, send limit), shared
 * by every process. The layout is the library's; `expire` is epoch milliseconds.
 */
export const rateLimits = pgTable('rate_limits', {
  key: varchar({ length: 255 }).primaryKey(),
  points: integer().notNull().default(0),
  expire: bigint({ mode: 'number' }),
});

/**
 * One row per (message, user, emoji). `Message.reactions` groups them by emoji in order of
 * first use; each change is also a `message.reacted` event in `message_events`.
 */
export const messageReactions = pgTable(
  'message_reactions',
  {
    messageId: uuid()
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id),
    emoji: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.emoji, t.userId] })],
);

/**
 * Files attached to messages. A row is created by `attachment.createUpload` (message_id null),
 * checked and linked by `message.send`, and swept after a day if it never is. `storage_key` is
 * the uploaded object; an image is served from `served_key` (metadata stripped, orientation
 * applied) and previewed from `thumbnail_key`.
 */
export const attachments = pgTable(
  'attachments',
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    createdBy: uuid()
      .notNull()
      .references(() => users.id),
    messageId: uuid().references(() => messages.id, { onDelete: 'set null' }),
    position: integer().notNull().default(0),
    name: text().notNull(),
    contentType: text().notNull(),
    size: integer().notNull(),
    width: integer(),
    height: integer(),
    storageKey: text().notNull(),
    servedKey: text(),
    thumbnailKey: text(),
    verifiedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('attachments_message_idx').on(t.messageId),
    index('attachments_orphan_idx').on(t.createdAt).where(sql`${t.messageId} is null`),
  ],
);

/** Web Push subscriptions of users' browsers; one row per endpoint. */
export const pushSubscriptions = pgTable(
  'push_subscriptions',
  {
    endpoint: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    p256dh: text().notNull(),
    auth: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('push_subscriptions_user_idx').on(t.userId)],
);
