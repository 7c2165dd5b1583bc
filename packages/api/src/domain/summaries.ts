import type { DbOrTx } from '@estuary/db';
import { sql } from 'drizzle-orm';
import { loadConversations } from './conversations';
import { badRequest } from './errors';
import { messageColumns, toMessage } from './message-columns';
import { uuidList } from './sql';
import type { ConversationSummary, Message } from './types';

type SummaryRow = {
  id: string;
  unreadCount: number;
  activityKey: string;
  muted: boolean;
};

// The cursor carries the timestamp as Postgres text: a JS Date would drop the microseconds
// and the page boundary would repeat or skip rows.
const encodeCursor = (row: SummaryRow) =>
  Buffer.from(JSON.stringify([row.activityKey, row.id])).toString('base64url');

// Postgres' text form of a timestamptz, e.g. `2026-11-26 00:10:03.123456+00`.
const ACTIVITY_KEY = /^\d{4}-\d\d-\d\d[ T][\d:.]+([+-]\d\d(:?\d\d)?|Z)?$/;

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') {
      const [key, id] = value;
      if (ACTIVITY_KEY.test(key) && /^[0-9a-f-]{36}$/i.test(id)) return [key, id];
    }
  } catch {}
  throw badRequest('Invalid cursor');
}

/** Unread = others' live messages after my watermark. */
const unreadCount = (userId: string) => sql`(
  select count(*)::int from messages m
  where m.conversation_id = c.id and m.seq > p.last_read_seq
    and m.sender_id is distinct from ${userId} and m.deleted_at is null)`;

async function lastMessages(db: DbOrTx, ids: string[]): Promise<Map<string, Message>> {
  if (ids.length === 0) return new Map();
  const rows = await db.execute(sql`
    select ${messageColumns}
    from conversations c
    join messages m on m.conversation_id = c.id and m.seq = c.last_seq
    left join users u on u.id = m.sender_id
    where c.id in ${uuidList(ids)}`);
  return new Map(rows.map((row) => [row.conversationId as string, toMessage(row)]));
}

async function assemble(db: DbOrTx, rows: SummaryRow[]): Promise<ConversationSummary[]> {
  const ids = rows.map((r) => r.id);
  const [conversations, last] = await Promise.all([
    loadConversations(db, ids),
    lastMessages(db, ids),
  ]);
  const unread = new Map(rows.map((r) => [r.id, r.unreadCount]));
  const muted = new Set(rows.filter((r) => r.muted).map((r) => r.id));
  return conversations.map((c) => ({
    ...c,
    lastMessage: last.get(c.id) ?? null,
    unreadCount: unread.get(c.id) ?? 0,
    muted: muted.has(c.id),
  }));
}

/** The caller's conversations, most recent activity first, keyset-paginated. */
export async function listSummaries(
  db: DbOrTx,
  userId: string,
  input: { cursor?: string | null; limit: number },
): Promise<{ items: ConversationSummary[]; nextCursor: string | null }> {
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  const rows = await db.execute<SummaryRow>(sql`
    select c.id, ${unreadCount(userId)} as "unreadCount", c.last_activity_at::text as "activityKey", p.muted
    from conversation_participants p
    join conversations c on c.id = p.conversation_id
    where p.user_id = ${userId}
      ${after ? sql`and (c.last_activity_at, c.id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql``}
    order by c.last_activity_at desc, c.id desc
    limit ${input.limit + 1}`);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: await assemble(db, page),
    nextCursor: rows.length > input.limit && last ? encodeCursor(last) : null,
  };
}

/** Summaries of some of the caller's conversations (those it still belongs to). */
export async function summariesFor(
  db: DbOrTx,
  userId: string,
  ids: string[],
): Promise<ConversationSummary[]> {
  if (ids.length === 0) return [];
  const rows = await db.execute<SummaryRow>(sql`
    select c.id, ${unreadCount(userId)} as "unreadCount", c.last_activity_at::text as "activityKey", p.muted
    from conversation_participants p
    join conversations c on c.id = p.conversation_id
    where p.user_id = ${userId}
      and c.id in ${uuidList(ids)}`);
  return assemble(db, [...rows]);
}

export async function conversationIdsOf(db: DbOrTx, userId: string): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`
    select conversation_id as id from conversation_participants where user_id = ${userId}`);
  return rows.map((r) => r.id);
}
