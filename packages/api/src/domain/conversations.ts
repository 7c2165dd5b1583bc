import { type DbOrTx, schema } from '@estuary/db';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Deps } from '../deps';
import { publish, topics } from '../events';
import { type Caller, isService } from './callers';
import { requireReachable } from './contacts';
import { badRequest, forbidden, notFound } from './errors';
import { announceMembershipChange } from './membership-notices';
import { type Conversation, DEFAULT_LIMITS, type Participant, type User } from './types';
import { findUsers } from './users';

const { conversations, conversationParticipants, bookings, users } = schema;

/** Loads full conversations (participants, booking) in two queries, in the order of `ids`. */
export async function loadConversations(db: DbOrTx, ids: string[]): Promise<Conversation[]> {
  if (ids.length === 0) return [];
  const [rows, members] = await Promise.all([
    db
      .select({
        id: conversations.id,
        kind: conversations.kind,
        title: conversations.title,
        bookingId: conversations.bookingId,
        createdAt: conversations.createdAt,
        createdBy: conversations.createdBy,
        lastActivityAt: conversations.lastActivityAt,
        startsAt: bookings.startsAt,
        endsAt: bookings.endsAt,
        status: bookings.status,
      })
      .from(conversations)
      .leftJoin(bookings, eq(bookings.id, conversations.bookingId))
      .where(inArray(conversations.id, ids)),
    db
      .select({
        conversationId: conversationParticipants.conversationId,
        userId: users.id,
        name: users.name,
        role: users.role,
      })
      .from(conversationParticipants)
      .innerJoin(users, eq(users.id, conversationParticipants.userId))
      .where(inArray(conversationParticipants.conversationId, ids))
      .orderBy(conversationParticipants.joinedAt, users.name),
  ]);
  const byConversation = new Map<string, Participant[]>();
  for (const { conversationId, ...participant } of members) {
    const list = byConversation.get(conversationId) ?? [];
    list.push(participant);
    byConversation.set(conversationId, list);
  }
  const byId = new Map(
    rows.map(({ startsAt, endsAt, status, ...row }) => [
      row.id,
      {
        ...row,
        participants: byConversation.get(row.id) ?? [],
        booking: startsAt && endsAt && status ? { startsAt, endsAt, status } : null,
      } satisfies Conversation,
    ]),
  );
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function loadConversation(db: DbOrTx, id: string): Promise<Conversation> {
  const [conversation] = await loadConversations(db, [id]);
  if (!conversation) throw notFound('Conversation');
  return conversation;
}

/**
 * The membership check behind every conversation procedure: NOT_FOUND when the conversation
 * does not exist, FORBIDDEN when the caller is not in it.
 */
export async function requireParticipant(db: DbOrTx, conversationId: string, userId: string) {
  const [row] = await db.execute<ParticipantCheck>(sql`
    select exists (select 1 from conversations where id = ${conversationId}) as "exists",
           exists (select 1 from conversation_participants
                   where conversation_id = ${conversationId} and user_id = ${userId}) as "member"`);
  throwUnlessParticipant(row);
}

export type ParticipantCheck = { exists: boolean; member: boolean };

/** The outcome of `requireParticipant` for a check made elsewhere (`participantChecks`). */
export function throwUnlessParticipant(check: ParticipantCheck | undefined) {
  if (!check?.exists) throw notFound('Conversation');
  if (!check.member) throw forbidden('You are not a participant of this conversation');
}

/**
 * `requireParticipant`'s question for many (conversation, user) pairs in one query, keyed
 * `conversationId/userId` (a connect ramp subscribes thousands of members a second).
 */
export async function participantChecks(
  db: DbOrTx,
  pairs: { conversationId: string; userId: string }[],
): Promise<Map<string, ParticipantCheck>> {
  const rows = await db.execute<ParticipantCheck & { c: string; u: string }>(sql`
    select q.c, q.u,
           exists (select 1 from conversations where id = q.c) as "exists",
           exists (select 1 from conversation_participants
                   where conversation_id = q.c and user_id = q.u) as "member"
    from unnest(${sql.param(pairs.map((p) => p.conversationId))}::uuid[],
                ${sql.param(pairs.map((p) => p.userId))}::uuid[]) as q(c, u)`);
  return new Map(rows.map((r) => [`${r.c}/${r.u}`, { exists: r.exists, member: r.member }]));
}

export async function participantIds(db: DbOrTx, conversationId: string): Promise<string[]> {
  const rows = await db
    .select({ userId: conversationParticipants.userId })
    .from(conversationParticipants)
    .where(eq(conversationParticipants.conversationId, conversationId));
  return rows.map((r) => r.userId);
}

async function announceNew(deps: Deps, conversation: Conversation) {
  await Promise.all(
    conversation.participants.map((p) =>
      publish(deps, topics.user(p.userId), {
        type: 'conversation.added',
        conversationId: conversation.id,
      }),
    ),
  );
}

/**
 * Get-or-create for conversations with a natural key (one per booking, one per pair): the
 * unique index settles a race between two first callers, and the loser reads the winner's row.
 */
async function getOrCreate(
  deps: Deps,
  key: { column: typeof conversations.bookingId | typeof conversations.directKey; value: string },
  values: typeof conversations.$inferInsert,
  memberIds: string[],
) {
  const { db } = deps;
  const created = await db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(conversations)
      .values(values)
      .onConflictDoNothing({ target: key.column })
      .returning({ id: conversations.id });
    const id =
      inserted?.id ??
      (
        await tx
          .select({ id: conversations.id })
          .from(conversations)
          .where(eq(key.column, key.value))
      )[0]?.id;
    if (!id) throw notFound('Conversation');
    await tx
      .insert(conversationParticipants)
      .values(memberIds.map((userId) => ({ conversationId: id, userId })))
      .onConflictDoNothing();
    return { id, isNew: Boolean(inserted) };
  });
  const conversation = await loadConversation(db, created.id);
  if (created.isNew) await announceNew(deps, conversation);
  return conversation;
}

export async function conversationForBooking(deps: Deps, caller: Caller, bookingId: string) {
  const [booking] = await deps.db.select().from(bookings).where(eq(bookings.id, bookingId));
  if (!booking) throw notFound('Booking');
  const service = isService(caller);
  if (!service && caller.id !== booking.practitionerId && caller.id !== booking.clientId) {
    throw forbidden('Only the booking’s practitioner and client may open its conversation');
  }
  return getOrCreate(
    deps,
    { column: conversations.bookingId, value: bookingId },
    { kind: 'booking', bookingId, createdBy: service ? null : caller.id },
    [booking.practitionerId, booking.clientId],
  );
}

export async function directConversation(deps: Deps, caller: User, otherUserId: string) {
  if (otherUserId === caller.id) throw badRequest('A direct conversation needs another user');
  const [other] = await findUsers(deps.db, [otherUserId]);
  if (!other) throw notFound('User');
  await requireReachable(deps.db, caller.id, [otherUserId]);
  const directKey = [caller.id, otherUserId].sort().join(':');
  return getOrCreate(
    deps,
    { column: conversations.directKey, value: directKey },
    { kind: 'direct', directKey, createdBy: caller.id },
    [caller.id, otherUserId],
  );
}

export async function createGroup(
  deps: Deps,
  caller: User,
  input: { title: string; participantIds: string[] },
  maxParticipants = DEFAULT_LIMITS.maxGroupParticipants,
) {
  const { db } = deps;
  const memberIds = [...new Set([caller.id, ...input.participantIds])];
  if (memberIds.length > maxParticipants) throw groupFull(maxParticipants);
  const found = await findUsers(db, memberIds);
  if (found.length !== memberIds.length) throw notFound('User');
  await requireReachable(db, caller.id, memberIds);
  const id = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(conversations)
      .values({ kind: 'group', title: input.title.trim(), createdBy: caller.id })
      .returning({ id: conversations.id });
    if (!row) throw new Error('insert returned nothing');
    await tx
      .insert(conversationParticipants)
      .values(memberIds.map((userId) => ({ conversationId: row.id, userId })));
    return row.id;
  });
  const conversation = await loadConversation(db, id);
  await announceNew(deps, conversation);
  return conversation;
}

/** Who may remove whom: anyone removes themselves; the group's creator and practitioners remove anyone. */
export function mayRemove(caller: User, group: { createdBy: string | null }, userId: string) {
  return userId === caller.id || group.createdBy === caller.id || caller.role === 'practitioner';
}

async function requireGroup(db: DbOrTx, conversationId: string, caller: User) {
  await requireParticipant(db, conversationId, caller.id);
  const [row] = await db
    .select({ kind: conversations.kind, createdBy: conversations.createdBy })
    .from(conversations)
    .where(eq(conversations.id, conversationId));
  if (row?.kind !== 'group') throw badRequest('Only group conversations change their participants');
  return row;
}

export async function addParticipant(
  deps: Deps,
  caller: User,
  conversationId: string,
  userId: string,
  maxParticipants = DEFAULT_LIMITS.maxGroupParticipants,
) {
  const { db } = deps;
  await requireGroup(db, conversationId, caller);
  const [user] = await findUsers(db, [userId]);
  if (!user) throw notFound('User');
  await requireReachable(db, caller.id, [userId]);
  const added = await db.transaction(async (tx) => {
    // The group's row lock orders concurrent adds, so the cap holds under a race.
    await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(eq(conversations.id, conversationId))
      .for('update');
    const members = await tx
      .select({ userId: conversationParticipants.userId })
      .from(conversationParticipants)
      .where(eq(conversationParticipants.conversationId, conversationId));
    if (members.some((m) => m.userId === userId)) return undefined;
    if (members.length >= maxParticipants) throw groupFull(maxParticipants);
    const [row] = await tx
      .insert(conversationParticipants)
      .values({ conversationId, userId })
      .onConflictDoNothing()
      .returning({ userId: conversationParticipants.userId });
    return row;
  });
  if (added) {
    await publish(deps, topics.members(conversationId), { type: 'added', userId });
    await publish(deps, topics.user(userId), { type: 'conversation.added', conversationId });
    await announceMembershipChange(deps, conversationId, {
      kind: 'added',
      by: caller.name,
      who: user.name,
    });
  }
  return loadConversation(db, conversationId);
}

/** Anyone may leave; the group's creator and practitioners remove anyone. Access ends at once. */
export async function removeParticipant(
  deps: Deps,
  caller: User,
  conversationId: string,
  userId: string,
) {
  const { db } = deps;
  const group = await requireGroup(db, conversationId, caller);
  if (!mayRemove(caller, group, userId)) {
    throw forbidden('Only the group’s creator or a practitioner can remove other participants');
  }
  const [removed] = await db
    .delete(conversationParticipants)
    .where(
      and(
        eq(conversationParticipants.conversationId, conversationId),
        eq(conversationParticipants.userId, userId),
      ),
    )
    .returning({ userId: conversationParticipants.userId });
  if (!removed) throw notFound('Participant');
  deps.membership?.forget(conversationId, userId);
  await publish(deps, topics.members(conversationId), { type: 'removed', userId });
  await publish(deps, topics.user(userId), { type: 'conversation.removed', conversationId });
  const [who] = userId === caller.id ? [caller] : await findUsers(db, [userId]);
  await announceMembershipChange(
    deps,
    conversationId,
    userId === caller.id
      ? { kind: 'left', who: caller.name }
      : { kind: 'removed', by: caller.name, who: who?.name ?? 'someone' },
  );
  return loadConversation(db, conversationId);
}

const groupFull = (max: number) =>
  badRequest(`A group holds at most ${max} participants (GROUP_MAX_PARTICIPANTS)`);
