import type { TrackedEnvelope } from '@trpc/server';
import type { MessageEvent, User } from '../domain/types';
import type { MessageBusEvent } from '../events';
import type { ChatServices } from '../services';
import {
  batchFrame,
  EventCursor,
  eventFrame,
  MAX_BATCH,
  type StreamInput,
  type StreamOptions,
} from './event-cursor';
import type { Gate } from './gate';
import { pushEvents } from './message-push';
import { CLOSED, LiveQueue, RESYNC } from './queue';
import { removedError } from './streams';

/** The `data` of one `message.onEvents` yield. */
export type MessageEventBatch = { events: MessageEvent[] };

/**
 * `message.onEvent` (one yield per event, the contract) and `message.onEvents` (several per
 * yield) as generators, for whoever iterates (tRPC's adapters, server-side callers); the
 * lean socket handler takes the push form (./message-push). Attach to the live feed first,
 * then replay the backlog from Postgres, then stream live, skipping anything the replay
 * already yielded: no gap, no duplicate (the rules are ./event-cursor's). In batch mode,
 * whatever has queued up while the socket was busy goes out as one yield and one frame,
 * which is what lets a subscriber keep up under load.
 */
async function* eventStream(
  services: ChatServices,
  user: User,
  input: StreamInput,
  signal: AbortSignal,
  options: StreamOptions,
): AsyncGenerator<TrackedEnvelope<unknown>> {
  const queue = new LiveQueue<MessageBusEvent>(signal);
  const cursor = new EventCursor(services, user, input, signal, options, () =>
    queue.fail(removedError()),
  );
  const emit = options.batch
    ? function* (events: MessageBusEvent[]) {
        for (let i = 0; i < events.length; i += MAX_BATCH) {
          cursor.stillAllowed();
          yield batchFrame(events.slice(i, i + MAX_BATCH));
        }
      }
    : function* (events: MessageBusEvent[]) {
        for (const event of events) {
          cursor.stillAllowed();
          yield eventFrame(event);
        }
      };
  try {
    await cursor.open(queue);
    for (;;) {
      if (cursor.replaying) {
        const events = await cursor.page();
        yield* emit(events);
        cursor.endPage();
        continue;
      }
      const item = await queue.next();
      if (item === CLOSED) return;
      if (item === RESYNC) {
        cursor.replaying = true;
        continue;
      }
      const ready = options.batch ? [item, ...queue.takeReady(MAX_BATCH - 1)] : [item];
      const fresh: MessageBusEvent[] = [];
      for (const event of ready) {
        if (!cursor.isNext(event)) {
          if (cursor.replaying) break;
          continue;
        }
        fresh.push(event);
        cursor.last = event.seq;
      }
      if (fresh.length > 0) yield* emit(fresh);
    }
  } finally {
    cursor.close();
    queue.dispose();
  }
}

// The payloads are pre-serialised (see ./wire); to clients they are the contract's types.
export const messageEvents = (
  services: ChatServices,
  user: User,
  input: StreamInput,
  gate?: Gate,
) => ({
  pull: (signal: AbortSignal) =>
    eventStream(services, user, input, signal, { batch: false, gate }) as AsyncGenerator<
      TrackedEnvelope<MessageEvent>
    >,
  push: pushEvents<TrackedEnvelope<MessageEvent>>(services, user, input, { batch: false, gate }),
});

export const messageEventBatches = (
  services: ChatServices,
  user: User,
  input: StreamInput,
  gate?: Gate,
) => ({
  pull: (signal: AbortSignal) =>
    eventStream(services, user, input, signal, { batch: true, gate }) as AsyncGenerator<
      TrackedEnvelope<MessageEventBatch>
    >,
  push: pushEvents<TrackedEnvelope<MessageEventBatch>>(services, user, input, {
    batch: true,
    gate,
  }),
});
