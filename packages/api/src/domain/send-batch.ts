import { type Deps, type MessageBusEvent, publish, topics } from '../live/topics';
import { replyToSql } from './message-extras';
import { insertOne, type SendInput, toMessage } from './send';
import type { Message, ReplyQuote, User } from './types';

interface Pending {
  sender: User;
  input: SendInput;
  waiters: { resolve: (m: Message) => void; reject: (e: unknown) => void }[];
}

interface Row {
  ord: number;
  id: string;
  seq: number;
  createdAt: Date;
  eventSeq: number;
  replyTo: ReplyQuote | null;
}

const LANES = 2;
/** How long a lane gathers sends before its statement, once idle: a few ms of latency buys fewer commits. */
const GATHER_MS = 2;
const MAX_BATCH = 200;

/**
 * Group commit for `message.send`. Every Postgres round trip costs a socket write and a
 * backend wake-up, which under load outweighs the work of the insert itself, so sends that
 * arrive while a statement is running go together in the next one: one statement, one
 * commit, many messages, each with its own seq and event id.
 *
 * A conversation always maps to the same lane and a lane runs one statement at a time, so
 * this process never takes the same conversation locks from two statements at once. When a
 * batch fails as a whole (a concurrent retry of the same clientId from elsewhere, a lock
 * conflict with another process), each of its sends is retried alone, which sorts out
 * every per-message outcome exactly as an unbatched send would.
 */
export class SendBatcher {
  private readonly lanes: { queue: Pending[]; running: boolean }[] = Array.from(
    { length: LANES },
    () => ({
      queue: [],
      running: false,
    }),
  );

  /** Counts, for metrics and tests: statements run, sends they carried, and lone retries. */
  readonly stats = { statements: 0, batchedSends: 0, alone: 0 };

  constructor(private readonly deps: Deps) {}

  send(sender: User, input: SendInput): Promise<Message> {
    return new Promise((resolve, reject) => {
      const lane = this.lanes[laneOf(input.conversationId)];
      if (!lane) return reject(new Error('no lane'));
      // The same (sender, clientId) twice in one batch is one message, answered twice.
      const same = lane.queue.find(
        (p) => p.sender.id === sender.id && p.input.clientId === input.clientId,
      );
      if (same) same.waiters.push({ resolve, reject });
      else lane.queue.push({ sender, input, waiters: [{ resolve, reject }] });
      if (!lane.running) {
        lane.running = true;
        setTimeout(() => void this.drain(lane), GATHER_MS);
      }
    });
  }

  private async drain(lane: { queue: Pending[]; running: boolean }) {
    while (lane.queue.length > 0) {
      const batch = lane.queue.splice(0, MAX_BATCH);
      await this.run(batch);
    }
    lane.running = false;
  }

  private async run(batch: Pending[]) {
    if (batch.length > 1) {
      try {
        const rows = await this.insertBatch(batch);
        this.stats.statements++;
        this.stats.batchedSends += rows.length;
        const done = new Set<number>();
        const events: MessageBusEvent[] = [];
        // Rows come in seq order per conversation: publish them in that order.
        for (const row of rows) {
          const p = batch[row.ord];
          if (!p) continue;
          done.add(row.ord);
          const message = toMessage(p.sender, p.input, row);
          events.push({ seq: row.eventSeq, type: 'message.created', message });
          for (const w of p.waiters) w.resolve(message);
        }
        await Promise.all(
          events.map((e) => publish(this.deps, topics.messages(e.message.conversationId), e)),
        );
        // What the batch left out (not a member, bad reply, an earlier send of the same
        // clientId) gets its exact answer from the single path.
        await Promise.all(batch.filter((_, ord) => !done.has(ord)).map((p) => this.one(p)));
        return;
      } catch {
        // Fall through: one at a time.
      }
    }
    for (const p of batch) await this.one(p);
  }

  private async one(p: Pending) {
    this.stats.alone++;
    try {
      const { message, event } = await insertOne(this.deps, p.sender, p.input);
      if (event) await publish(this.deps, topics.messages(p.input.conversationId), event);
      for (const w of p.waiters) w.resolve(message);
    } catch (error) {
      for (const w of p.waiters) w.reject(error);
    }
  }

  /**
   * One statement for the batch: it keeps the sends that pass the checks, bumps each
   * conversation's counters once by its count (taking its row lock), numbers its messages in
   * arrival order from there, and writes the messages and their events.
   */
  private async insertBatch(batch: Pending[]): Promise<Row[]> {
    const sql = this.deps.db.$client;
    const column = <T>(pick: (p: Pending) => T) => batch.map(pick);
    return sql<Row[]>`
      with input as (
        select * from unnest(
          ${column((p) => p.input.conversationId)}::uuid[],
          ${column((p) => p.sender.id)}::uuid[],
          ${column((p) => p.input.clientId)}::uuid[],
          ${column((p) => p.input.content)}::text[],
          ${column((p) => p.input.replyToId ?? null)}::uuid[],
          ${batch.map((_, i) => i)}::int[]
        ) as t(conversation_id, sender_id, client_id, content, reply_to_id, ord)
      ), valid as (
        select i.* from input i
        where exists (select 1 from conversation_participants p
                      where p.conversation_id = i.conversation_id and p.user_id = i.sender_id)
          and (i.reply_to_id is null or exists (
               select 1 from messages r where r.id = i.reply_to_id and r.conversation_id = i.conversation_id))
          and not exists (select 1 from messages m where m.sender_id = i.sender_id and m.client_id = i.client_id)
      ), counts as (
        select conversation_id, count(*)::int as n from valid group by conversation_id
      ), bump as (
        update conversations c
           set last_seq = c.last_seq + counts.n, last_event_seq = c.last_event_seq + counts.n,
               last_activity_at = now()
          from counts where c.id = counts.conversation_id
        returning c.id, c.last_seq, c.last_event_seq, counts.n
      ), numbered as (
        select v.*, (b.last_seq - b.n + row_number() over w)::int as seq,
               (b.last_event_seq - b.n + row_number() over w)::int as event_seq
        from valid v join bump b on b.id = v.conversation_id
        window w as (partition by v.conversation_id order by v.ord)
      ), ins as (
        insert into messages (conversation_id, seq, sender_id, client_id, content, reply_to_id)
        select conversation_id, seq, sender_id, client_id, content, reply_to_id from numbered
        returning id, conversation_id, seq, created_at
      ), ev as (
        insert into message_events (conversation_id, seq, type, message_id)
        select n.conversation_id, n.event_seq, 'message.created', ins.id
        from numbered n join ins on ins.conversation_id = n.conversation_id and ins.seq = n.seq
      )
      select n.ord, ins.id, ins.seq, ins.created_at as "createdAt", n.event_seq as "eventSeq",
             ${sql.unsafe(replyToSql('n.reply_to_id'))} as "replyTo"
      from numbered n join ins on ins.conversation_id = n.conversation_id and ins.seq = n.seq
      order by n.conversation_id, n.seq`;
  }
}

function laneOf(conversationId: string): number {
  let h = 0;
  for (let i = 0; i < conversationId.length; i++) h = (h * 31 + conversationId.charCodeAt(i)) | 0;
  return Math.abs(h) % LANES;
}
