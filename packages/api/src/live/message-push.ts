import type { TrackedEnvelope } from '@trpc/server';
import type { User } from '../domain/types';
import type { MessageBusEvent } from '../events';
import type { PushSink } from '../push';
import type { ChatServices } from '../services';
import {
  batchFrame,
  EventCursor,
  eventFrame,
  MAX_BATCH,
  type StreamInput,
  type StreamOptions,
} from './event-cursor';
import type { FeedSink } from './feeds';
import { removedError } from './streams';

/**
 * The push form of `message.onEvent(s)` (see ../push): same setup, replay and rules as the
 * generator (./event-cursor), but live, the feed's `push` writes straight to the sink, one
 * frame per event (onEvent) or one per tick's events (onEvents, flushed by one microtask).
 *
 * Backpressure without holding anything: while the sink's `drain` says the socket is full,
 * live events are dropped (the feed still counts them in `fed`); once it drains, the stream
 * replays from the log after the last event it wrote, then goes live again. A replay page
 * waits for the drain instead (it is one page, under the socket's replay gate).
 */
export const pushEvents =
  <T>(services: ChatServices, user: User, input: StreamInput, options: StreamOptions) =>
  (signal: AbortSignal, sink: PushSink<T>) =>
    new PushStream(
      services,
      user,
      input,
      signal,
      options,
      sink as unknown as PushSink<TrackedEnvelope<unknown>>,
    ).start();

class PushStream implements FeedSink {
  private state: 'opening' | 'replaying' | 'live' | 'paused' | 'ended' = 'opening';
  /** The highest event id the feed has handed this stream, written or not. */
  private fed = 0;
  /** onEvents: the events of this tick, to go out as one frame. */
  private pending: MessageBusEvent[] = [];
  private readonly cursor: EventCursor;
  private readonly batch: boolean;

  constructor(
    services: ChatServices,
    user: User,
    input: StreamInput,
    private readonly signal: AbortSignal,
    options: StreamOptions,
    private readonly sink: PushSink<TrackedEnvelope<unknown>>,
  ) {
    this.batch = options.batch;
    this.cursor = new EventCursor(services, user, input, signal, options, () =>
      this.end(removedError()),
    );
  }

  start() {
    if (this.signal.aborted) return this.end();
    this.signal.addEventListener('abort', this.stop, { once: true });
    this.cursor.open(this).then(
      () => this.state === 'opening' && this.run(),
      (error) => this.end(error),
    );
  }

  private readonly stop = () => this.end();

  private end(error?: unknown) {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.pending = [];
    this.signal.removeEventListener('abort', this.stop);
    this.cursor.close();
    this.sink.end(error);
  }

  /** The feed's hand-off, in order. Written at once while live; otherwise the log has it. */
  push(event: MessageBusEvent) {
    if (event.seq > this.fed) this.fed = event.seq;
    if (this.state !== 'live') return;
    if (this.batch) {
      if (this.pending.push(event) === 1) queueMicrotask(this.flush);
      return;
    }
    if (!this.cursor.isNext(event)) {
      if (this.cursor.replaying) this.run();
      return;
    }
    const wait = this.sink.drain();
    if (wait) return this.pause(wait);
    this.sink.data(eventFrame(event));
    this.cursor.last = event.seq;
  }

  private readonly flush = () => {
    const events = this.pending;
    this.pending = [];
    if (this.state !== 'live') return;
    const fresh: MessageBusEvent[] = [];
    let after = this.cursor.last;
    for (const event of events) {
      if (this.cursor.isNext(event, after)) {
        fresh.push(event);
        after = event.seq;
      } else if (this.cursor.replaying) break;
    }
    for (let i = 0; i < fresh.length; i += MAX_BATCH) {
      const wait = this.sink.drain();
      if (wait) return this.pause(wait);
      const chunk = fresh.length <= MAX_BATCH ? fresh : fresh.slice(i, i + MAX_BATCH);
      this.sink.data(batchFrame(chunk));
      this.cursor.last = chunk[chunk.length - 1]?.seq ?? this.cursor.last;
    }
    if (this.cursor.replaying) this.run();
  };

  /** The socket is full: write nothing until it drains, then resume from the log. */
  private pause(wait: Promise<void>) {
    this.state = 'paused';
    this.pending = [];
    this.cursor.replaying = true;
    wait.then(() => this.state === 'paused' && this.run());
  }

  /** Replays from the log (when `cursor.replaying`) until caught up with the feed, then live. */
  private run() {
    this.state = 'replaying';
    this.replay().catch((error) => this.end(error));
  }

  /** Ended (stopped, removed or failed) while a replay was awaiting something. */
  private get ended() {
    return this.state === 'ended';
  }

  private async replay() {
    for (;;) {
      if (!this.cursor.replaying) {
        // Whatever the feed handed on meanwhile was dropped; the log has it.
        if (this.fed <= this.cursor.last) {
          this.state = 'live';
          return;
        }
        this.cursor.replaying = true;
      }
      const events = await this.cursor.page();
      const step = this.batch ? MAX_BATCH : 1;
      for (let i = 0; i < events.length; i += step) {
        if (this.ended) return;
        const wait = this.sink.drain();
        if (wait) await wait;
        if (this.ended) return;
        this.sink.data(
          this.batch
            ? batchFrame(events.slice(i, i + step))
            : eventFrame(events[i] as MessageBusEvent),
        );
      }
      if (this.ended) return;
      this.cursor.endPage();
    }
  }
}
