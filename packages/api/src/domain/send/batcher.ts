import type { Deps, MessageSender } from '../../deps';
import { type MessageBusEvent, publish, topics } from '../../events';
import type { Message, SendInput, User } from '../types';
import { insertBatch } from './insert-batch';
import { insertOne, sentMessage } from './insert-one';

interface Pending {
  sender: User;
  input: SendInput;
  waiters: { resolve: (m: Message) => void; reject: (e: unknown) => void }[];
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
 * every per-message outcome exactly as a send on its own would.
 */
interface Lane {
  queue: Pending[];
  /** The queue by sender and clientId: a lookup per send, not a scan of a queue that grows under load. */
  queued: Map<string, Pending>;
  running: boolean;
}

export class SendBatcher implements MessageSender {
  private readonly lanes: Lane[] = Array.from({ length: LANES }, () => ({
    queue: [],
    queued: new Map(),
    running: false,
  }));

  /** Counts, for metrics and tests: statements run, sends they carried, and lone retries. */
  readonly stats = { statements: 0, batchedSends: 0, alone: 0 };

  constructor(private readonly deps: Pick<Deps, 'db' | 'bus' | 'log'>) {}

  send(sender: User, input: SendInput): Promise<Message> {
    return new Promise((resolve, reject) => {
      const lane = this.lanes[laneOf(input.conversationId)];
      if (!lane) return reject(new Error('no lane'));
      // The same (sender, clientId) twice in one batch is one message, answered twice.
      const key = `${sender.id} ${input.clientId}`;
      const same = lane.queued.get(key);
      if (same) same.waiters.push({ resolve, reject });
      else {
        const pending = { sender, input, waiters: [{ resolve, reject }] };
        lane.queue.push(pending);
        lane.queued.set(key, pending);
      }
      if (!lane.running) {
        lane.running = true;
        setTimeout(() => void this.drain(lane), GATHER_MS);
      }
    });
  }

  private async drain(lane: Lane) {
    while (lane.queue.length > 0) {
      const batch = lane.queue.splice(0, MAX_BATCH);
      for (const p of batch) lane.queued.delete(`${p.sender.id} ${p.input.clientId}`);
      await this.flush(batch);
    }
    lane.running = false;
  }

  /** Writes a batch: together when it can, then alone for whatever the batch left out. */
  private async flush(batch: Pending[]) {
    if (batch.length > 1) {
      try {
        const rows = await insertBatch(this.deps.db.$client, batch);
        this.stats.statements++;
        this.stats.batchedSends += rows.length;
        const done = new Set<number>();
        const events: MessageBusEvent[] = [];
        // Rows come in seq order per conversation: publish them in that order.
        for (const row of rows) {
          const p = batch[row.ord];
          if (!p) continue;
          done.add(row.ord);
          const message = sentMessage(p.sender, p.input, row);
          events.push({ seq: row.eventSeq, type: 'message.created', message });
          for (const w of p.waiters) w.resolve(message);
        }
        await Promise.all(
          events.map((e) => publish(this.deps, topics.messages(e.message.conversationId), e)),
        );
        // What the batch left out (not a member, bad reply, an earlier send of the same
        // clientId) gets its exact answer from the single path.
        await Promise.all(batch.filter((_, ord) => !done.has(ord)).map((p) => this.sendAlone(p)));
        return;
      } catch {
        // Fall through: one at a time.
      }
    }
    for (const p of batch) await this.sendAlone(p);
  }

  private async sendAlone(p: Pending) {
    this.stats.alone++;
    try {
      const { message, event } = await insertOne(this.deps, p.sender, p.input);
      if (event) await publish(this.deps, topics.messages(p.input.conversationId), event);
      for (const w of p.waiters) w.resolve(message);
    } catch (error) {
      for (const w of p.waiters) w.reject(error);
    }
  }
}

function laneOf(conversationId: string): number {
  let h = 0;
  for (let i = 0; i < conversationId.length; i++) h = (h * 31 + conversationId.charCodeAt(i)) | 0;
  return Math.abs(h) % LANES;
}
