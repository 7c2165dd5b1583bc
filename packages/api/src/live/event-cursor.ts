import { type TrackedEnvelope, tracked } from '@trpc/server';
import { requireParticipant } from '../domain/conversations';
import { loadEventsAfter, resumePoint } from '../domain/event-log';
import type { User } from '../domain/types';
import type { MessageBusEvent } from '../events';
import type { ChatServices } from '../services';
import type { FeedSink } from './feeds';
import type { Gate } from './gate';
import { removedError } from './streams';
import { prepareBatch, prepareEvent } from './wire';

export const REPLAY_PAGE = 500;

/** The most events one `message.onEvents` frame carries. */
export const MAX_BATCH = 100;

export type StreamInput = { conversationId: string; lastEventId?: string | null | undefined };

export interface StreamOptions {
  /** `message.onEvents`: up to MAX_BATCH events a frame. */
  batch: boolean;
  gate?: Gate | undefined;
}

/** `message.onEvent`'s payload: one event. */
export const eventFrame = (event: MessageBusEvent): TrackedEnvelope<unknown> =>
  tracked(String(event.seq), prepareEvent(event));

/** `message.onEvents`' payload: up to MAX_BATCH events, tracked by the last one's id. */
export const batchFrame = (events: MessageBusEvent[]): TrackedEnvelope<unknown> =>
  tracked(String(events[events.length - 1]?.seq), prepareBatch(events));

/**
 * Where one `message.onEvent(s)` subscriber stands in its conversation's event log, and the
 * rules both forms of the stream (the generator in ./message-stream, the push form in
 * ./message-push) follow: watch for removal, check membership, find the resume point, attach
 * to the feed, replay pages from Postgres through the socket's gate with a membership check
 * per page, and take live events in seq order, each once. How values reach the reader, and
 * at what pace, is the form's business.
 */
export class EventCursor {
  /** The last event id handed on (or, for a replay page, about to be). */
  last = 0;
  /** The next events come from Postgres, not the feed. */
  replaying = false;
  private removed = false;
  private closed = false;
  private releaseGate: (() => void) | null = null;
  private detach = () => {};
  private readonly unwatch: () => void;

  constructor(
    private readonly services: ChatServices,
    private readonly user: User,
    private readonly input: StreamInput,
    private readonly signal: AbortSignal,
    private readonly options: StreamOptions,
    /** Called (once) the moment the user leaves the conversation. */
    onRemoved: () => void,
  ) {
    // Watch for removal before checking membership: a removal that lands after the check is
    // then always seen, and one before it fails the check. Nothing falls in between.
    this.unwatch = services.access.watch(input.conversationId, user.id, () => {
      this.removed = true;
      onRemoved();
    });
  }

  /** Membership, resume point, then the feed: `sink` gets every live event after `feed.head`. */
  async open(sink: FeedSink): Promise<void> {
    const { conversationId, lastEventId } = this.input;
    await this.services.membership.require(conversationId, this.user.id);
    const resumeFrom =
      lastEventId != null
        ? await resumePoint(this.services.deps.db.$client, conversationId, lastEventId)
        : null;
    const feed = await this.services.feeds.attach(conversationId, sink);
    // Closed while attaching (the push form closes at once on abort): let go of the feed now.
    if (this.closed) feed.detach();
    else this.detach = feed.detach;
    this.last = resumeFrom ?? feed.head;
    this.replaying = resumeFrom !== null;
  }

  stillAllowed() {
    if (this.removed) throw removedError();
  }

  /**
   * The next page of the log after `last`, read while holding the socket's replay gate (see
   * ./gate), which stays held while the page is handed on: until the next page, `endPage`
   * after the last one, or `close`. Sets `last` to the page's end and `replaying` to whether
   * more may follow.
   */
  async page(): Promise<MessageBusEvent[]> {
    this.releaseGate?.();
    this.releaseGate = null;
    const { gate } = this.options;
    if (gate) {
      const release = await gate.acquire(this.signal);
      if (this.closed) {
        release();
        return [];
      }
      this.releaseGate = release;
    }
    const { conversationId } = this.input;
    const sql = this.services.deps.db.$client;
    const events = await loadEventsAfter(sql, conversationId, this.last, REPLAY_PAGE);
    // Every event in the page committed before this check; if the caller is still a member
    // now, they were all sent before any removal. Otherwise, stop here. Postgres, not the
    // cache: a removal committed elsewhere may not have reached this process yet.
    if (events.length > 0)
      await requireParticipant(this.services.deps.db, conversationId, this.user.id);
    this.stillAllowed();
    this.last = events[events.length - 1]?.seq ?? this.last;
    this.replaying = events.length === REPLAY_PAGE;
    return events;
  }

  /** After a page has been handed on: the last one lets the gate go. */
  endPage() {
    if (this.replaying) return;
    this.releaseGate?.();
    this.releaseGate = null;
  }

  /**
   * Whether a live event (in feed order) is the one after `after`: false for one already
   * handed on; one past a hole (cannot happen with an ordered feed, but Postgres would have
   * it) sets `replaying` and is not next either.
   */
  isNext(event: MessageBusEvent, after = this.last): boolean {
    if (event.seq <= after) return false;
    if (event.seq > after + 1) {
      this.replaying = true;
      return false;
    }
    return true;
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.releaseGate?.();
    this.releaseGate = null;
    this.detach();
    this.unwatch();
  }
}
