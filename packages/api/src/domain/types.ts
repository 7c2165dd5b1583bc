export type Role = 'practitioner' | 'client';

export type User = {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** The booking platform's id for this user, or null for users Estuary created itself. */
  externalId: string | null;
};

export type Booking = {
  id: string;
  practitionerId: string;
  clientId: string;
  startsAt: Date;
  endsAt: Date;
  status: 'confirmed' | 'cancelled';
  conversationId: string | null;
  /** Extra fields, for display. */
  practitionerName: string;
  clientName: string;
};

export type Participant = {
  userId: string;
  name: string;
  role: Role;
};

export type Conversation = {
  id: string;
  kind: 'booking' | 'direct' | 'group';
  title: string | null;
  bookingId: string | null;
  participants: Participant[];
  createdAt: Date;
  /** Extra: the session this chat is about, for booking conversations. */
  booking: { startsAt: Date; endsAt: Date; status: 'confirmed' | 'cancelled' } | null;
  /** Extra: who created it (group admin). */
  createdBy: string | null;
  /** Extra: time of the latest message (or creation). */
  lastActivityAt: Date;
};

export type Message = {
  id: string;
  conversationId: string;
  seq: number;
  /** Null for system messages. */
  senderId: string | null;
  senderName: string | null;
  clientId: string;
  content: string;
  replyToId: string | null;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  /** 'system' for notices from the platform (booking changes…): no sender, no edits. */
  kind: MessageKind;
  /** v2: one entry per emoji, in order of first use. Always present. */
  reactions: Reaction[];
  /** v2: the quoted message, enough to draw it, or null. Always present. */
  replyTo: ReplyQuote | null;
  /** v2: files on the message, in the order they were sent; empty once it is deleted. */
  attachments: Attachment[];
};

/** v2: `url` and `thumbnailUrl` are signed download URLs, valid for at least 10 minutes. */
export type Attachment = {
  id: string;
  name: string;
  contentType: string;
  size: number;
  width: number | null;
  height: number | null;
  url: string;
  thumbnailUrl: string | null;
};

export type MessageKind = 'user' | 'system';

/** What `message.send` takes, once parsed (see domain/send). */
export type SendInput = {
  conversationId: string;
  clientId: string;
  content: string;
  replyToId?: string | null | undefined;
  /** v2: uploaded attachments to put on the message (at most 10). */
  attachmentIds?: string[] | undefined;
  /** The same, once checked (see AttachmentService.checkForSend). */
  attachments?: Attachment[] | undefined;
};

export type Reaction = { emoji: string; count: number; userIds: string[] };

export type ReplyQuote = {
  id: string;
  seq: number;
  /** null when the quoted message is a system notice. */
  senderId: string | null;
  senderName: string | null;
  /** Up to 140 characters of the quoted message's current content; '' once deleted. */
  excerpt: string;
  deleted: boolean;
};

export type MessageEventType =
  | 'message.created'
  | 'message.edited'
  | 'message.deleted'
  | 'message.reacted';

export type MessageEvent = {
  type: MessageEventType;
  message: Message;
};

export type ConversationSummary = Conversation & {
  lastMessage: Message | null;
  unreadCount: number;
  /** The caller muted it: no push or notification webhook for it. */
  muted: boolean;
};

export type Receipt = {
  userId: string;
  lastReadSeq: number;
  readAt: Date | null;
  /** Everything up to this seq has reached one of the participant's devices (reading implies it). */
  lastDeliveredSeq: number;
  deliveredAt: Date | null;
};

export type TypingChange = {
  conversationId: string;
  userId: string;
  name: string;
  isTyping: boolean;
};

export type PresenceState = {
  userId: string;
  status: 'online' | 'offline';
  lastSeenAt: Date | null;
};

export type Limits = {
  /** Message content, after trimming. */
  maxContentLength: number;
  /** Items per page in list procedures. */
  maxPageSize: number;
  /** Per-user sustained send rate, and the burst on top of it. */
  sendRatePerSecond: number;
  sendBurst: number;
  /** Subscriptions one socket may hold at once. */
  maxSubscriptionsPerConnection: number;
  /** How long `message.onEvent` can resume from; older ids must refetch history. */
  eventRetentionDays: number;
  /** Subscriptions one user may hold at once on one process, across their sockets. */
  maxSubscriptionsPerUser: number;
  /** Per-user query rate, and the burst on top of it. */
  queryRatePerSecond: number;
  queryBurst: number;
  /** The most people a group may hold, its creator included (createGroup and addParticipant). */
  maxGroupParticipants: number;
};

export const DEFAULT_LIMITS: Limits = {
  maxContentLength: 4_000,
  maxPageSize: 100,
  sendRatePerSecond: 5,
  sendBurst: 20,
  maxSubscriptionsPerConnection: 200,
  eventRetentionDays: 30,
  maxSubscriptionsPerUser: 400,
  queryRatePerSecond: 50,
  queryBurst: 100,
  maxGroupParticipants: 100,
};
