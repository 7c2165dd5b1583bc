import { createChatClient } from '@estuary/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWorld, type World } from './fixtures';
import { startNode, type WsNode } from './nodes';
import { errorCode, rawSocket } from './socket';
import { chatRooms, expectEveryoneHasEverything, metric, sendReliably, sleep } from './workload';

/** One node, and the ways a client can misbehave or fall behind. The node must stay up and serve the rest. */

let world: World;
let node: WsNode;
beforeAll(async () => {
  world = await startWorld();
  node = await startNode({
    DATABASE_URL: world.url,
    SEND_RATE_PER_SECOND: '10000',
    SEND_BURST: '10000',
    WS_BACKPRESSURE_BYTES: String(64 * 1024),
    WS_MAX_BUFFERED_BYTES: String(1024 * 1024),
    WS_STALL_TIMEOUT_MS: '2000',
    // Busy test writers are not abusers; the flood test below still trips this.
    WS_MAX_FRAMES_PER_SECOND: '1000',
    // The flood below must trip the frame limit, not the (separately tested) query limit.
    QUERY_RATE_PER_SECOND: '100000',
    QUERY_BURST: '100000',
  });
});
afterAll(async () => {
  await node?.kill();
  await world?.close();
});

/** A healthy bystander: a room whose members must see everything while the faults happen. */
async function bystanders() {
  const room = await chatRooms(world, { rooms: 1, members: 2, url: () => node.url });
  await sleep(300);
  return room;
}

async function stillServes(room: Awaited<ReturnType<typeof bystanders>>) {
  expect((await fetch(`${node.http}/healthz`)).ok).toBe(true);
  const [first] = room.rooms;
  const sender = first?.members[0];
  if (!first || !sender) throw new Error('no room');
  await sendReliably(sender.client, first.id, 'still here');
  const { mismatches } = await expectEveryoneHasEverything(world, room.received, 15_000);
  expect(mismatches).toEqual([]);
  expect(room.received.every((r) => r.errors.length === 0)).toBe(true);
}

describe('token expiry on a live socket', () => {
  it('ends access with UNAUTHORIZED and a close; the client reconnects with a fresh token and resumes', async () => {
    const owner = await world.user('practitioner');
    const member = await world.user();
    const group = await world.group(owner, [member]);

    // What the server does, seen on the wire.
    const { token } = await world.tokens.issue(member.id, 'access', 2);
    const raw = await rawSocket(node.url, { params: { token } });
    raw.send({
      id: 1,
      method: 'subscription',
      params: { path: 'typing.onChange', input: { json: { conversationId: group.id } } },
    });
    await raw.frame((f) => f.id === 1);
    const code = await raw.closed;
    expect(code).toBe(4001);
    expect(errorCode(await raw.frame((f) => f.id === null && 'error' in f))).toBe('UNAUTHORIZED');

    // What a client sees: its subscription carries on across token lifetimes, losing nothing.
    const expiredBefore = await metric(node, 'estuary_ws_refused_total{reason="token-expired"}');
    let minted = 0;
    const client = createChatClient({
      wsUrl: node.url,
      getToken: async () => {
        minted++;
        return (await world.tokens.issue(member.id, 'access', 2)).token;
      },
      retryDelayMs: () => 50,
    });
    const ids: string[] = [];
    const sub = client.message.onEvent.subscribe(
      { conversationId: group.id, lastEventId: '0' },
      { onData: ({ id }) => ids.push(id) },
    );
    const ownerClient = world.client(owner, node.url);
    // Traffic until the server has cut the socket twice (expiry is checked once a second, so
    // two-second tokens last two to three seconds each), and at most 60 messages.
    const expiredTwice = async () =>
      (await metric(node, 'estuary_ws_refused_total{reason="token-expired"}')) >= expiredBefore + 2;
    for (let i = 0; i < 60 && (i < 25 || !(await expiredTwice())); i++) {
      await sendReliably(ownerClient, group.id, `tick ${i}`);
      await sleep(200);
    }
    // The loop may end the moment the second cut is counted, before the client is back: wait
    // for its reconnect (a third token), then one more message shows it resumed.
    const reconnectBy = Date.now() + 15_000;
    while (minted < 3 && Date.now() < reconnectBy) await sleep(100);
    await sendReliably(ownerClient, group.id, 'after the last cut');
    const log = (await world.eventLog(group.id)).map(String);
    const deadline = Date.now() + 15_000;
    while (ids.length < log.length && Date.now() < deadline) await sleep(100);
    expect(ids).toEqual(log);
    sub.unsubscribe();
    await client.close();
    // Seconds of traffic on two-second tokens: the server cut it at least twice, and each
    // reconnect fetched a fresh token.
    expect(
      await metric(node, 'estuary_ws_refused_total{reason="token-expired"}'),
    ).toBeGreaterThanOrEqual(expiredBefore + 2);
    expect(minted).toBeGreaterThanOrEqual(3);
  });
});

describe('a slow consumer', () => {
  it('is cut off past the buffer limit, while everyone else is unaffected, and recovers by resuming', async () => {
    const room = await bystanders();
    const owner = await world.user('practitioner');
    const reader = await world.user();
    const group = await world.group(owner, [reader]);
    const { token } = await world.tokens.issue(reader.id);
    const slow = await rawSocket(node.url, { params: { token } });
    slow.send({
      id: 1,
      method: 'subscription',
      params: { path: 'message.onEvent', input: { json: { conversationId: group.id } } },
    });
    await slow.frame((f) => f.id === 1);
    // Stop reading: the kernel buffers fill, then the server's.
    (slow.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const before = await metric(node, 'estuary_ws_slow_consumer_disconnects_total');
    const writer = world.client(owner, node.url);
    // 3,990 three-byte characters: ~12 KB a frame. Loopback kernel buffers swallow several
    // MB before the server's own buffer starts to grow.
    const big = '€'.repeat(3_990);
    const cut = async () =>
      (await metric(node, 'estuary_ws_slow_consumer_disconnects_total')) > before;
    for (let i = 0; i < 3_000 && !(await cut()); i += 8) {
      await Promise.all(
        Array.from({ length: 8 }, (_, k) => sendReliably(writer, group.id, `${i + k} ${big}`)),
      );
    }
    expect(await metric(node, 'estuary_ws_slow_consumer_disconnects_total')).toBe(before + 1);
    // The server's memory did not balloon with the backlog.
    const rss = await metric(node, 'process_resident_memory_bytes');
    expect(rss).toBeLessThan(400 * 1024 * 1024);
    await stillServes(room);

    // The slow reader comes back with its last id and gets exactly the rest.
    const again = world.client(reader, node.url);
    const got: string[] = [];
    const sub = again.message.onEvent.subscribe(
      { conversationId: group.id, lastEventId: '5' },
      { onData: ({ id }) => got.push(id) },
    );
    const log = (await world.eventLog(group.id)).map(String);
    const deadline = Date.now() + 20_000;
    while (got.length < log.length - 5 && Date.now() < deadline) await sleep(100);
    expect(got).toEqual(log.slice(5));
    sub.unsubscribe();
    room.stop();
  });
});

describe('bad frames', () => {
  it('an oversize frame closes only that socket (1009)', async () => {
    const room = await bystanders();
    const user = await world.user();
    const { token } = await world.tokens.issue(user.id);
    const socket = await rawSocket(node.url, { params: { token } });
    socket.send('x'.repeat(70 * 1024));
    expect(await socket.closed).toBe(1009);
    await stillServes(room);
    room.stop();
  });

  it('garbage frames get a PARSE_ERROR or a close, never a crash', async () => {
    const room = await bystanders();
    const user = await world.user();
    const { token } = await world.tokens.issue(user.id);
    const socket = await rawSocket(node.url, { params: { token } });
    const garbage: (string | Buffer)[] = [
      '{',
      'null',
      '[]',
      '[1,2,3]',
      '"just a string"',
      JSON.stringify({ id: 1 }),
      JSON.stringify({ id: 2, method: 'query' }),
      JSON.stringify({ id: 3, method: 'query', params: { path: 'no.such.procedure' } }),
      JSON.stringify({
        id: 4,
        method: 'mutation',
        params: { path: 'message.send', input: { json: { content: 5 } } },
      }),
      JSON.stringify({ id: 5, method: 'subscription', params: { path: '__proto__', input: null } }),
      JSON.stringify({ id: 6, method: 'subscription.stop' }),
      JSON.stringify({ id: { nested: true }, method: 'query', params: { path: 'auth.me' } }),
      Buffer.from([0xff, 0xfe, 0x00, 0x01]),
      '\u0000\u0001',
    ];
    for (const frame of garbage) socket.send(frame);
    socket.send({ id: 99, method: 'query', params: { path: 'auth.me', input: { json: null } } });
    // The same socket still answers a good request after all that.
    const answer = await socket.frame((f) => f.id === 99 && 'result' in f);
    expect((answer.result as { data: { json: { id: string } } }).data.json.id).toBe(user.id);
    const errors = socket.frames.filter((f) => typeof f === 'object' && f !== null && 'error' in f);
    expect(errors.length).toBeGreaterThan(5);
    await stillServes(room);
    room.stop();
  });

  it('a flood of frames closes the flooding socket and nobody else’s', async () => {
    const room = await bystanders();
    const user = await world.user();
    const { token } = await world.tokens.issue(user.id);
    const socket = await rawSocket(node.url, { params: { token } });
    for (let i = 0; i < 10_000 && socket.ws.readyState === WebSocket.OPEN; i++) {
      socket.send({ id: i, method: 'query', params: { path: 'auth.me', input: { json: null } } });
    }
    expect(await socket.closed).toBe(4009);
    await stillServes(room);
    room.stop();
  });

  it('a half-open handshake and a dropped connection leave no trace', async () => {
    const room = await bystanders();
    const before = await metric(node, 'estuary_ws_connections');
    const net = await import('node:net');
    const half = net.connect(node.port, '127.0.0.1');
    await new Promise((r) => half.once('connect', r));
    half.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n');
    half.destroy();
    const user = await world.user();
    const { token } = await world.tokens.issue(user.id);
    const dropped = await rawSocket(node.url, { params: { token } });
    dropped.ws.terminate();
    await sleep(300);
    expect(await metric(node, 'estuary_ws_connections')).toBeLessThanOrEqual(before);
    await stillServes(room);
    room.stop();
  });
});
