import type { Deps } from '../deps';
import { requireParticipant } from './conversations';
import { badRequest } from './errors';
import { messageColumnsOf, toMessage } from './message-columns';
import type { Message } from './types';

export type SearchHit = {
  message: Message;
  conversationId: string;
  conversationTitle: string;
  /** Offsets into `message.content` in UTF-16 code units (JS string indices), end exclusive. */
  highlights: { start: number; end: number }[];
};

const MAX_WORDS = 10;
/** Pages go by offset; past this many results, refine the query instead. */
const MAX_OFFSET = 1_000;
const WORD = /[\p{L}\p{N}]+/gu;
/** Messages in scope up to which a search reads them all rather than asking the GIN index. */
const SCAN_LIMIT = 5_000;

/**
 * Folds a word the way the `estuary_search` configuration does (unaccent, then lower case),
 * close enough to place highlights: decomposed accents dropped, and the letters unaccent
 * spells out.
 */
export function fold(word: string): string {
  return word
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .replace(/œ/g, 'oe')
    .replace(/ø/g, 'o')
    .replace(/ł/g, 'l')
    .replace(/đ/g, 'd');
}

/**
 * The words of a query, and its tsquery text: every word must match, the last one as a
 * prefix. Words are only letters and digits, so nothing the user types is tsquery syntax.
 */
export function parseQuery(text: string): { words: string[]; tsquery: string } | null {
  const words = (text.match(WORD) ?? []).slice(0, MAX_WORDS);
  if (words.length === 0) return null;
  const tsquery = words.map((w, i) => (i === words.length - 1 ? `'${w}':*` : `'${w}'`)).join(' & ');
  return { words: words.map(fold), tsquery };
}

/** Where the query's words occur in `content`: every whole word equal to one (the last: starting with it). */
export function highlightsOf(content: string, words: string[]): { start: number; end: number }[] {
  const exact = new Set(words.slice(0, -1));
  const prefix = words.at(-1) ?? '';
  const found: { start: number; end: number }[] = [];
  for (const match of content.matchAll(WORD)) {
    const folded = fold(match[0]);
    if (exact.has(folded) || (prefix && folded.startsWith(prefix))) {
      found.push({ start: match.index, end: match.index + match[0].length });
    }
  }
  return found;
}

const encodeCursor = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');

function decodeCursor(cursor: string): number {
  const match = /^o:(\d{1,5})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const offset = match?.[1] ? Number(match[1]) : Number.NaN;
  if (!Number.isInteger(offset) || offset > MAX_OFFSET) throw badRequest('Invalid cursor');
  return offset;
}

/**
 * `message.search`: full-text search over the caller's conversations (or one of them), best
 * match first, then newest. Deleted messages have no words left and are excluded anyway;
 * the vector is a generated column, so an edit is searchable by its new words at once.
 */
export async function searchMessages(
  deps: Pick<Deps, 'db'>,
  callerId: string,
  input: {
    query: string;
    conversationId?: string | null | undefined;
    cursor?: string | null | undefined;
    limit: number;
    /** For the benchmark: the scope size up to which messages are scanned (see below). */
    scanLimit?: number;
  },
): Promise<{ items: SearchHit[]; nextCursor: string | null }> {
  const parsed = parseQuery(input.query);
  if (!parsed) return { items: [], nextCursor: null };
  const offset = input.cursor ? decodeCursor(input.cursor) : 0;
  const conversationId = input.conversationId ?? null;
  if (conversationId) await requireParticipant(deps.db, conversationId, callerId);
  const sql = deps.db.$client;
  // The conversations in scope, and how many messages they hold (their last seq).
  const scope = await sql<{ id: string; size: number }[]>`
    select c.id, c.last_seq as size from conversations c
    where ${
      conversationId
        ? sql`c.id = ${conversationId}`
        : sql`c.id in (select conversation_id from conversation_participants where user_id = ${callerId})`
    }`;
  if (scope.length === 0) return { items: [], nextCursor: null };
  const ids = scope.map((c) => c.id);
  const size = scope.reduce((n, c) => n + c.size, 0);
  // Two plans, picked by the size of what is searched. Up to `scanLimit` messages, read them
  // by conversation and test each vector (the function form keeps the GIN index out of it):
  // cost follows the user's history, not the whole table, and a common prefix ("ba") costs
  // no more than a rare word. Beyond it, the GIN index finds the matches once, for all
  // conversations, and they are filtered by conversation. (bench/search.ts measures both.)
  const scan = size <= (input.scanLimit ?? SCAN_LIMIT);
  const matches = scan ? sql`ts_match_vq(m.search, q)` : sql`m.search @@ q`;
  const rows = await sql`
    select ${messageColumnsOf(sql)},
           coalesce(c.title, (select string_agg(pu.name, ', ' order by pu.name)
                              from conversation_participants pp join users pu on pu.id = pp.user_id
                              where pp.conversation_id = c.id and pp.user_id <> ${callerId}), '') as "conversationTitle"
    from (
      select m.id, ts_rank(m.search, q) as rank
      from messages m, to_tsquery('estuary_search', ${parsed.tsquery}) q
      where ${matches} and m.deleted_at is null and m.conversation_id = any(${ids}::uuid[])
      order by rank desc, m.created_at desc, m.id
      limit ${input.limit + 1} offset ${offset}
    ) hit
    join messages m on m.id = hit.id
    left join users u on u.id = m.sender_id
    join conversations c on c.id = m.conversation_id
    order by hit.rank desc, m.created_at desc, m.id`;
  const page = rows.slice(0, input.limit);
  const more = rows.length > input.limit && offset + input.limit <= MAX_OFFSET;
  return {
    items: page.map((row) => ({
      message: toMessage(row),
      conversationId: row.conversationId as string,
      conversationTitle: (row.conversationTitle as string | null) ?? '',
      highlights: highlightsOf(row.content as string, parsed.words),
    })),
    nextCursor: more ? encodeCursor(offset + input.limit) : null,
  };
}
