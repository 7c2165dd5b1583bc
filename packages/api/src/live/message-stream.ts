import { type TrackedEnvelope, tracked } from '@trpc/server';
import { requireParticipant } from '../domain/conversations';
import { loadEventsAfter, resumePoint } from '../domain/event-log';
import type { MessageEvent, User } from '../domain/types';
import type { MessageBusEvent } from '../events';
import type { ChatServices } from '../services';
import type { Gate } from './gate';
import { CLOSED, LiveQueue, RESYNC } from './queue';
import { removedError } from './streams';
import { prepareBatch, prepareEvent } from './wire';

const REPLAY_PAGE = 500;

/** The `data` of one `message.onEvents` yield. */
export type MessageEventBatch = { events: MessageEvent[] };

/** The most events one `message.onEvents` yield carries. */
const MAX_BATCH = 100;

/**
 * `message.onEvent` (one yield per event, the contract) and `message.onEvents` (several per
 * yield). Attach to the live feed first, then replay the backlog from Postgres, then stream
 * live, skipping anything the replay already yielded: no gap, no duplicate. In batch mode,
 * whatever has queued up while the socket was busy goes out as one yield and one frame,
 * which is what lets a subscriber keep up under load.
 */
async function* eventStream(
  services: ChatServices,
  user: User,
  input: { conversationId: string; lastEventId?: string | null | undefined },
  signal: AbortSignal,
  options: { batch: boolean; gate?: Gate | undefined },
): AsyncGenerator<TrackedEnvelope<unknown>> {
  const { conversationId } = input;
  const sql = services.deps.db.$client;
  const queue = new LiveQueue<MessageBusEvent>(signal);
  // Watch for removal before checking membership: a removal that lands after the check is
  // then always seen, and one before it fails the check. Nothing falls in between.
  let revoked = false;
  const unwatch = services.access.watch(conversationId, user.id, () => {
    revoked = true;
    queue.fail(removedError());
  });
  const stillAllowed = () => {
    if (revoked) throw removedError();
  };
  const emit = options.batch
    ? function* (events: MessageBusEvent[]) {
        for (let i = 0; i < events.length; i += MAX_BATCH) {
          stillAllowed();
          const chunk = events.slice(i, i + MAX_BATCH);
          const lastSeq = String(chunk[chunk.length - 1]?.seq);
          yield tracked(lastSeq, prepareBatch(chunk));
        }
      }
    : function* (events: MessageBusEvent[]) {
        for (const event of events) {
          stillAllowed();
          yield tracked(String(event.seq), prepareEvent(event));
        }
      };

  let detach = () => {};
  // Held while a replay page is in memory and being yielded; see ./gate.
  let releaseGate: (() => void) | null = null;
  try {
    await services.membership.require(conversationId, user.id);
    const resumeFrom =
      input.lastEventId != null ? await resumePoint(sql, conversationId, input.lastEventId) : null;
    const feed = await services.feeds.attach(conversationId, queue);
    detach = feed.detach;
    let last = resumeFrom ?? feed.head;
    let replaying = resumeFrom !== null;
    for (;;) {
      if (replaying) {
        releaseGate?.();
        releaseGate = options.gate ? await options.gate.acquire(signal) : null;
        const events = await loadEventsAfter(sql, conversationId, last, REPLAY_PAGE);
        // Every event in the page committed before this check; if the caller is still a
        // member now, they were all sent before any removal. Otherwise, stop here. Postgres,
        // not the cache: a removal committed elsewhere may not have reached this process yet.
        if (events.length > 0) await requireParticipant(services.deps.db, conversationId, user.id);
        stillAllowed();
        if (events.length > 0) {
          last = events[events.length - 1]?.seq ?? last;
          yield* emit(events);
        }
        replaying = events.length === REPLAY_PAGE;
        if (!replaying) {
          releaseGate?.();
          releaseGate = null;
        }
        continue;
      }
      const item = await queue.next();
      if (item === CLOSED) return;
      if (item === RESYNC) {
        replaying = true;
        continue;
      }
      const ready = options.batch ? [item, ...queue.takeReady(MAX_BATCH - 1)] : [item];
      const fresh: MessageBusEvent[] = [];
      for (const event of ready) {
        if (event.seq <= last) continue;
        if (event.seq > last + 1) {
          // Cannot happen with an ordered feed, but if it did, Postgres has the hole.
          replaying = true;
          break;
        }
        fresh.push(event);
        last = event.seq;
      }
      if (fresh.length > 0) yield* emit(fresh);
    }
  } finally {
    releaseGate?.();
    detach();
    unwatch();
    queue.dispose();
  }
}

type StreamInput = { conversationId: string; lastEventId?: string | null | undefined };

// The payloads are pre-serialised (see ./wire); to clients they are the contract's types.
export const messageEvents = (
  services: ChatServices,
  user: User,
  input: StreamInput,
  signal: AbortSignal,
  gate?: Gate,
) =>
  eventStream(services, user, input, signal, { batch: false, gate }) as AsyncGenerator<
    TrackedEnvelope<MessageEvent>
  >;

export const messageEventBatches = (
  services: ChatServices,
  user: User,
  input: StreamInput,
  signal: AbortSignal,
  gate?: Gate,
) =>
  eventStream(services, user, input, signal, { batch: true, gate }) as AsyncGenerator<
    TrackedEnvelope<MessageEventBatch>
  >;
