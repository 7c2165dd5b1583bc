import { createLoader, GAP } from '@estuary/realtime';
import type { Deps } from '../deps';
import { headEventSeqs, loadEventsAfter } from '../domain/event-log';
import { type MessageBusEvent, topics } from '../events';
import { coalesce } from './coalesce';

export interface FeedSink {
  push(event: MessageBusEvent): void;
}

const PAGE = 500;
const HOLE_GRACE_MS = 25;

/**
 * One feed per conversation per process: the single consumer of that conversation's bus
 * topic here. It turns the bus (which may reorder, duplicate or drop) into an exact, ordered
 * event sequence by event id, filling holes from Postgres, and fans it out to the local
 * subscribers. A process therefore reads a missed event once, not once per subscriber.
 */
class Feed {
  /** Last event id delivered, in order, to sinks. -1 until the starting point is known. */
  head = -1;
  readonly sinks = new Set<FeedSink>();
  /** Events that arrived past a hole (seq > head + 1), held until the hole fills. */
  private readonly aheadOfHead = new Map<number, MessageBusEvent>();
  private syncing = false;
  private holeTimer: NodeJS.Timeout | null = null;
  /** A resync was asked for while one ran: run once more when it ends. */
  private resyncRequested = false;
  private readonly unlisten: () => void;
  readonly ready: Promise<void>;

  constructor(
    readonly conversationId: string,
    private readonly deps: Deps,
    /** After a bus gap: asks for this feed's head to be compared with Postgres. */
    private readonly checkHead: (feed: Feed) => void,
    /** The conversation's head in Postgres (feeds opened together share one query). */
    loadHead: (conversationId: string) => Promise<number>,
  ) {
    // Listen first, then read the head: nothing published in between can slip through.
    this.unlisten = deps.bus.listen(topics.messages(conversationId), (payload) => {
      if (payload === GAP) this.checkHead(this);
      else this.receive(payload as MessageBusEvent);
    });
    this.ready = loadHead(conversationId).then((head) => {
      this.head = Math.max(this.head, head);
      this.deliverInOrder();
    });
  }

  private receive(event: MessageBusEvent) {
    if (this.head < 0 || event.seq > this.head + 1) {
      this.aheadOfHead.set(event.seq, event);
      if (this.head >= 0) this.awaitHole();
      return;
    }
    if (event.seq <= this.head) return;
    this.deliver(event);
    this.deliverInOrder();
  }

  /**
   * Events of one conversation sent through different processes arrive out of order (each
   * delivers its own at once, the others' a moment later), so a hole usually fills itself
   * within milliseconds. Only a hole still open after a short grace costs a Postgres read.
   */
  private awaitHole() {
    this.holeTimer ??= setTimeout(() => {
      this.holeTimer = null;
      if (this.aheadOfHead.size > 0) void this.resync();
    }, HOLE_GRACE_MS);
  }

  private deliver(event: MessageBusEvent) {
    this.head = event.seq;
    for (const sink of this.sinks) sink.push(event);
  }

  private deliverInOrder() {
    if (this.aheadOfHead.size === 0) return;
    for (const seq of [...this.aheadOfHead.keys()])
      if (seq <= this.head) this.aheadOfHead.delete(seq);
    for (
      let next = this.aheadOfHead.get(this.head + 1);
      next;
      next = this.aheadOfHead.get(this.head + 1)
    ) {
      this.aheadOfHead.delete(next.seq);
      this.deliver(next);
    }
    if (this.aheadOfHead.size === 0 && this.holeTimer) {
      clearTimeout(this.holeTimer);
      this.holeTimer = null;
    }
  }

  /** Reads from Postgres whatever the bus did not bring, in order. */
  async resync(): Promise<void> {
    if (this.syncing) {
      this.resyncRequested = true;
      return;
    }
    this.syncing = true;
    try {
      await this.ready;
      for (;;) {
        const events = await loadEventsAfter(
          this.deps.db.$client,
          this.conversationId,
          this.head,
          PAGE,
        );
        for (const event of events) {
          if (event.seq !== this.head + 1) break;
          this.deliver(this.aheadOfHead.get(event.seq) ?? event);
        }
        this.deliverInOrder();
        if (events.length < PAGE) break;
      }
    } catch (error) {
      this.deps.log('warn', 'feed resync failed; retrying', {
        conversationId: this.conversationId,
        error: String(error),
      });
      setTimeout(() => void this.resync(), 1_000).unref();
    } finally {
      this.syncing = false;
    }
    if (this.resyncRequested) {
      this.resyncRequested = false;
      await this.resync();
    }
  }

  close() {
    this.unlisten();
    if (this.holeTimer) clearTimeout(this.holeTimer);
  }
}

export class MessageFeeds {
  private readonly feeds = new Map<string, Feed>();

  /** One query for the heads of every feed asked about, then resync the ones behind. */
  private readonly checkHeads = coalesce<Feed>(async (asked) => {
    const live = asked.filter((f) => this.feeds.get(f.conversationId) === f);
    if (live.length === 0) return;
    try {
      const heads = await headEventSeqs(
        this.deps.db.$client,
        live.map((f) => f.conversationId),
      );
      for (const feed of live) {
        if ((heads.get(feed.conversationId) ?? 0) > feed.head) void feed.resync();
      }
    } catch (error) {
      this.deps.log('warn', 'feed check failed', { error: String(error) });
      for (const feed of live) void feed.resync();
    }
  });

  /** A connect ramp opens thousands of feeds a second: their first heads are read together. */
  private readonly heads = createLoader((ids: string[]) =>
    headEventSeqs(this.deps.db.$client, ids),
  );

  private readonly audit: NodeJS.Timeout;

  /**
   * `auditMs`: how often every feed's head is compared with Postgres (one query for all).
   * A bus can lose a conversation's last event with nothing after it to reveal the hole;
   * the audit bounds how long such an event can wait.
   */
  constructor(
    private readonly deps: Deps,
    auditMs = 5_000,
  ) {
    this.audit = setInterval(() => {
      for (const feed of this.feeds.values()) this.checkHeads(feed);
    }, auditMs);
    this.audit.unref();
  }

  close() {
    clearInterval(this.audit);
  }

  /**
   * Adds a sink. Resolves once the feed knows its head: the sink then receives every event
   * after the returned `head`, in order, without gaps.
   */
  async attach(
    conversationId: string,
    sink: FeedSink,
  ): Promise<{ head: number; detach: () => void }> {
    let feed = this.feeds.get(conversationId);
    if (!feed) {
      feed = new Feed(
        conversationId,
        this.deps,
        (f) => this.checkHeads(f),
        async (id) => (await this.heads.load(id)) ?? 0,
      );
      this.feeds.set(conversationId, feed);
    }
    const current = feed;
    current.sinks.add(sink);
    const detach = () => {
      current.sinks.delete(sink);
      if (current.sinks.size === 0 && this.feeds.get(conversationId) === current) {
        current.close();
        this.feeds.delete(conversationId);
      }
    };
    try {
      await current.ready;
    } catch (error) {
      // A feed that never learnt its head is useless: drop it so the next attach retries.
      if (this.feeds.get(conversationId) === current) {
        current.close();
        this.feeds.delete(conversationId);
      }
      current.sinks.delete(sink);
      throw error;
    }
    return { head: current.head, detach };
  }
}
