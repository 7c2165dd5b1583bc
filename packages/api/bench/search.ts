/**
 * The search benchmark: seeds a database of its own with a big history (1,000,000 messages by
 * default) and prints p50/p95 of `message.search` in one conversation and across all of a
 * user's conversations, through the same domain function the router calls.
 *
 *   pnpm --filter @estuary/api bench:search [--messages 1000000] [--queries 300] [--url postgres://…]
 *
 * Without --url it starts an embedded Postgres in a temp folder; with it, it creates (and
 * drops) a database of its own on that server. Loopback only.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { closeDb, createDb, migrate } from '@estuary/db';
import { startEmbeddedPostgres } from '@estuary/db/embedded';
import postgres from 'postgres';
import type { Deps } from '../src/deps';
import { searchMessages } from '../src/domain/search';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    queries: { type: 'string', default: '300' },
    url: { type: 'string' },
    // Keep the seeded database (only with --url): for EXPLAIN, or to measure again with --reuse.
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
    // Also measure each plan forced, to see what the size rule buys.
    plans: { type: 'boolean', default: false },
  },
});
const TOTAL = Number(args.messages);
const QUERIES = Number(args.queries);
const PER_CONVERSATION = 500;
const PRACTITIONERS = 50;
const CLIENTS = 350;
const conversationsCount = Math.max(1, Math.round(TOTAL / PER_CONVERSATION));

// A vocabulary of made-up words from syllables (some accented), used with a skew so a few
// words are common and most are rare, as in real chat.
const syllables = [
  'ba',
  'ré',
  'ti',
  'mo',
  'ka',
  'lu',
  'sé',
  'no',
  'vi',
  'da',
  'pe',
  'zo',
  'cha',
  'fî',
];
const vocabulary: string[] = [];
for (let i = 0; vocabulary.length < 3_000; i++) {
  const n = 2 + (i % 3);
  let word = '';
  for (let k = 0, x = i * 7919 + 13; k < n; k++, x = Math.floor(x / syllables.length) + k * 31) {
    word += syllables[x % syllables.length];
  }
  if (!vocabulary.includes(word)) vocabulary.push(word);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const log = (line: string) => console.log(`[search-bench] ${line}`);

async function main() {
  let adminUrl = args.url;
  let stopEmbedded = async () => {};
  let dataDir: string | null = null;
  if (!adminUrl) {
    dataDir = await mkdtemp(join(tmpdir(), 'estuary-search-bench-'));
    const pg = await startEmbeddedPostgres({ dataDir, persistent: false, unsafeFast: true });
    adminUrl = pg.url;
    stopEmbedded = pg.stop;
  }
  const name = args.reuse ?? `estuary_search_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  if (!args.reuse) await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = createDb(url.toString(), { max: 4 });
  try {
    if (!args.reuse) {
      await migrate(url.toString());
      await seed(db.$client);
    }
    await measure({ db });
  } finally {
    await closeDb(db);
    if (args.keep && args.url) log(`kept database ${name}`);
    else await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    await admin.end();
    await stopEmbedded();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

async function seed(sql: postgres.Sql) {
  const started = Date.now();
  log(`seeding ${TOTAL.toLocaleString('en')} messages in ${conversationsCount} conversations…`);
  await sql`
    insert into users (email, name, role, password_hash)
    select 'bench' || i || '@example.com', 'Bench ' || i,
           (case when i <= ${PRACTITIONERS} then 'practitioner' else 'client' end)::user_role, 'x'
    from generate_series(1, ${PRACTITIONERS + CLIENTS}) i`;
  // Booking-like pairs: each practitioner has many conversations, each client a few.
  await sql`
    create table bench_conv as
    select gen_random_uuid() as id, k,
           (select id from users where email = 'bench' || (1 + k % ${PRACTITIONERS}) || '@example.com') as p,
           (select id from users where email = 'bench' || (${PRACTITIONERS + 1} + k % ${CLIENTS}) || '@example.com') as q
    from generate_series(0, ${conversationsCount - 1}) k`;
  await sql`
    insert into conversations (id, kind, title, last_seq, last_event_seq)
    select id, 'group', 'Room ' || k, ${PER_CONVERSATION}, 0 from bench_conv`;
  await sql`
    insert into conversation_participants (conversation_id, user_id)
    select id, p from bench_conv union all select id, q from bench_conv`;
  // Bulk load without the GIN index, then build it once: far faster than row by row.
  await sql`drop index messages_search_idx`;
  const chunk = 200;
  for (let from = 0; from < conversationsCount; from += chunk) {
    await sql`
      insert into messages (conversation_id, seq, sender_id, client_id, content, created_at)
      select c.id, s.seq, case when s.seq % 2 = 0 then c.p else c.q end, gen_random_uuid(),
             (select string_agg((${vocabulary}::text[])[1 + floor(power(random(), 2.5) * ${vocabulary.length})::int], ' ')
              from generate_series(1, 4 + (s.seq * 7 + c.k) % 14) g),
             now() - make_interval(mins => (${PER_CONVERSATION} - s.seq) * 90 + c.k % 60)
      from bench_conv c cross join generate_series(1, ${PER_CONVERSATION}) s(seq)
      where c.k >= ${from} and c.k < ${from + chunk}`;
    const done = Math.min(conversationsCount, from + chunk) * PER_CONVERSATION;
    if ((from / chunk) % 5 === 4 || from + chunk >= conversationsCount) {
      log(
        `  ${done.toLocaleString('en')} messages (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
  }
  await sql`create index messages_search_idx on messages using gin (search)`;
  await sql`analyze`;
  log(`seeded and indexed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function measure(deps: Pick<Deps, 'db'>) {
  const sql = deps.db.$client;
  type Member = { userId: string; conversationId: string; role: string };
  const members: Member[] = await sql<Member[]>`
    select p.user_id as "userId", p.conversation_id as "conversationId", u.role::text as role
    from conversation_participants p join users u on u.id = p.user_id`;
  const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)] as T;
  const query = () => {
    // One or two words, the last one cut to a prefix of at least three letters.
    const words = Array.from({ length: 1 + Math.floor(Math.random() * 2) }, () => pick(vocabulary));
    const last = words.pop() ?? '';
    words.push(last.slice(0, 3 + Math.floor(Math.random() * Math.max(1, last.length - 2))));
    return words.join(' ');
  };
  const practitioners = members.filter((m) => m.role === 'practitioner');
  const clients = members.filter((m) => m.role === 'client');
  const run = async (label: string, pool: Member[], scoped: boolean, scanLimit?: number) => {
    const times: number[] = [];
    let hits = 0;
    for (let i = 0; i < QUERIES + 20; i++) {
      const m = pick(pool);
      const started = performance.now();
      const result = await searchMessages(deps, m.userId, {
        query: query(),
        conversationId: scoped ? m.conversationId : null,
        limit: 20,
        scanLimit,
      });
      // The first 20 warm the caches and are not counted.
      if (i >= 20) {
        times.push(performance.now() - started);
        hits += result.items.length;
      }
    }
    times.sort((a, b) => a - b);
    log(
      `${label.padEnd(44)} p50 ${ms(percentile(times, 50)).padStart(9)}  p95 ${ms(percentile(times, 95)).padStart(9)}  (${QUERIES} queries, ${(hits / QUERIES).toFixed(1)} hits each)`,
    );
  };
  const perPractitioner = Math.round(conversationsCount / PRACTITIONERS);
  const perClient = Math.max(1, Math.round(conversationsCount / CLIENTS));
  const cases = [
    ['one conversation', members, true],
    [`all of a client's (~${perClient} conversations)`, clients, false],
    [`all of a practitioner's (~${perPractitioner} conversations)`, practitioners, false],
  ] as const;
  log('as the router runs it (the plan picked by the size of the scope):');
  for (const [label, pool, scoped] of cases) await run(label, [...pool], scoped);
  if (args.plans) {
    log('forced to read every message in scope:');
    for (const [label, pool, scoped] of cases) await run(label, [...pool], scoped, Infinity);
    log('forced to ask the GIN index:');
    for (const [label, pool, scoped] of cases) await run(label, [...pool], scoped, -1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
