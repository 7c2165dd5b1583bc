import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from './fixtures';
import { startNode, type WsNode } from './nodes';
import { errorCode, rawSocket } from './socket';
import { metric, sendReliably, sleep } from './workload';

/**
 * The lean handler runs the message streams in push form (@estuary/api's PUSH): the feed
 * writes each event to the socket, and a socket past its backpressure threshold pauses the
 * stream, which resumes from the event log once it drains. Seen from outside: every event
 * exactly once, in order, and no backlog held in the server meanwhile.
 */

const MAX_PER_CONNECTION = 3;
let world: World;
let node: WsNode;
beforeAll(async () => {
  world = await startWorld();
  node = await startNode(
    {
      DATABASE_URL: world.url,
      SEND_RATE_PER_SECOND: '10000',
      SEND_BURST: '10000',
      WS_MAX_FRAMES_PER_SECOND: '1000',
      WS_BACKPRESSURE_BYTES: String(64 * 1024),
      WS_MAX_BUFFERED_BYTES: String(64 * 1024 * 1024),
      // A reader that stops for a while is paused, not cut, in this file.
      WS_STALL_TIMEOUT_MS: '120000',
      WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: String(MAX_PER_CONNECTION),
    },
    // Collected often, so the heap it reports is what it holds (see ./frequent-gc).
    {
      command: [
        '--expose-gc',
        '--import',
        'tsx',
        '--import',
        './test/frequent-gc.ts',
        'src/main.ts',
      ],
    },
  );
});
afterAll(async () => {
  await node?.kill();
  await world?.close();
});

type Frame = Record<string, unknown>;
const subscribe = (id: number, path: string, input: unknown) => ({
  id,
  method: 'subscription',
  params: { path, input: { json: input } },
});
const resultOf = (f: Frame) => f.result as { type?: string; data?: unknown } | undefined;
const isType = (id: number, type: string) => (f: Frame) =>
  f.id === id && resultOf(f)?.type === type;

/** The event ids a subscription's data frames carried, in order (a batch gives each of its own). */
function eventIds(frames: unknown[], id: number): number[] {
  const ids: number[] = [];
  for (const f of frames as Frame[]) {
    const result = resultOf(f);
    if (f.id !== id || result?.type !== 'data') continue;
    const data = (result.data as { json: { data: unknown } }).json.data as
      | { message: { seq: number } }
      | { events: { message: { seq: number } }[] };
    // An event's message carries the message's seq; the event id is what the frame tracks.
    const last = Number((f.result as { id: string }).id);
    const count = 'events' in data ? data.events.length : 1;
    for (let i = count - 1; i >= 0; i--) ids.push(last - i);
  }
  return ids;
}

/** The node's heap once its next collection has run (it runs every 100 ms here). */
const heapUsed = async () => {
  await sleep(300);
  return metric(node, 'nodejs_heap_size_used_bytes');
};

/** A conversation of an owner and a reader, the reader's token, and the push-stream count so far. */
async function room() {
  const owner = await world.user('practitioner');
  const reader = await world.user();
  const group = await world.group(owner, [reader]);
  const { token } = await world.tokens.issue(reader.id);
  const streamsBefore = await metric(node, 'estuary_ws_push_streams_total');
  return { owner, reader, conversationId: group.id, token, streamsBefore };
}

describe('the message streams in push form, on the lean handler', () => {
  it('a reader that stops reading is paused, not buffered: once it reads again it gets every event exactly once, in order', async () => {
    const { owner, conversationId, token, streamsBefore } = await room();
    const waitsBefore = await metric(node, 'estuary_ws_push_backpressure_waits_total');

    const slow = await rawSocket(node.url, { params: { token } });
    slow.send(subscribe(1, 'message.onEvent', { conversationId }));
    slow.send(subscribe(2, 'message.onEvents', { conversationId }));
    slow.send(subscribe(3, 'typing.onChange', { conversationId }));
    for (const id of [1, 2, 3]) await slow.frame(isType(id, 'started'));
    // The two message streams run in push form; typing is a generator, read by pump.
    expect((await metric(node, 'estuary_ws_push_streams_total')) - streamsBefore).toBe(2);

    const tcp = (slow.ws as unknown as { _socket: Socket })._socket;
    tcp.pause();
    const heapBefore = await heapUsed();
    const writer = world.client(owner, node.url);
    // ~12 KB a message, 24 MB in all, past the loopback kernel buffers and the 64 KB threshold.
    const big = '€'.repeat(3_990);
    for (let i = 0; i < 2_000; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, k) =>
          sendReliably(writer, conversationId, `${i + k} ${big}`),
        ),
      );
    }
    // Paused on a full socket, and nothing kept for it: the generator form queues every event
    // it cannot write yet (its heap grew by ~17 MB here; this form's by ~1.5 MB).
    const waits = (await metric(node, 'estuary_ws_push_backpressure_waits_total')) - waitsBefore;
    expect(waits).toBeGreaterThan(0);
    const heapGrowth = (await heapUsed()) - heapBefore;
    expect(heapGrowth).toBeLessThan(8 * 1024 * 1024);

    tcp.resume();
    const log = await world.eventLog(conversationId);
    expect(log).toHaveLength(2_000);
    const deadline = Date.now() + 60_000;
    while (
      (eventIds(slow.frames, 1).length < log.length ||
        eventIds(slow.frames, 2).length < log.length) &&
      Date.now() < deadline
    )
      await sleep(100);
    await sleep(200);
    expect(eventIds(slow.frames, 1)).toEqual(log);
    expect(eventIds(slow.frames, 2)).toEqual(log);
    expect(slow.closeCode).toBeNull();
    slow.ws.close();
  });

  it('a reader removed mid-stream gets FORBIDDEN, then stopped, and nothing posted after', async () => {
    const { owner, reader, conversationId, token, streamsBefore } = await room();
    const socket = await rawSocket(node.url, { params: { token } });
    socket.send(subscribe(1, 'message.onEvent', { conversationId }));
    await socket.frame(isType(1, 'started'));
    expect((await metric(node, 'estuary_ws_push_streams_total')) - streamsBefore).toBe(1);
    const writer = world.client(owner, node.url);
    await sendReliably(writer, conversationId, 'before the removal');
    await socket.frame(isType(1, 'data'));
    await writer.conversation.removeParticipant.mutate({ conversationId, userId: reader.id });
    await sendReliably(writer, conversationId, 'after the removal');
    const ended = await socket.frame(isType(1, 'stopped'));
    const mine = socket.frames.filter((f) => (f as Frame).id === 1) as Frame[];
    const error = mine.findIndex((f) => 'error' in f);
    expect(errorCode(mine[error] as Frame)).toBe('FORBIDDEN');
    expect(mine.indexOf(ended)).toBe(error + 1);
    expect(mine.indexOf(ended)).toBe(mine.length - 1);
    expect(eventIds(socket.frames, 1)).toHaveLength(1);
    expect(JSON.stringify(socket.frames)).not.toContain('after the removal');
    socket.ws.close();
  });

  it('push streams hold slots of the socket’s budget: refused past it with TOO_MANY_REQUESTS, freed when stopped', async () => {
    const { owner, conversationId, token, streamsBefore } = await room();
    const input = { conversationId };
    const socket = await rawSocket(node.url, { params: { token } });
    for (let id = 1; id <= MAX_PER_CONNECTION; id++) {
      socket.send(subscribe(id, id % 2 ? 'message.onEvent' : 'message.onEvents', input));
      await socket.frame(isType(id, 'started'));
    }
    socket.send(subscribe(10, 'message.onEvent', input));
    expect(errorCode(await socket.frame((f) => f.id === 10 && 'error' in f))).toBe(
      'TOO_MANY_REQUESTS',
    );
    await socket.frame(isType(10, 'stopped'));
    socket.send({ id: 1, method: 'subscription.stop' });
    await socket.frame(isType(1, 'stopped'));
    socket.send(subscribe(11, 'message.onEvents', input));
    await socket.frame(isType(11, 'started'));
    const writer = world.client(owner, node.url);
    await sendReliably(writer, conversationId, 'to the new one');
    await socket.frame(isType(11, 'data'));
    // Every one of them, the refused one too, was asked for in push form.
    expect((await metric(node, 'estuary_ws_push_streams_total')) - streamsBefore).toBe(
      MAX_PER_CONNECTION + 2,
    );
    expect(socket.frames.some((f) => (f as Frame).id === 11 && 'error' in (f as Frame))).toBe(
      false,
    );
    socket.ws.close();
  });
});
