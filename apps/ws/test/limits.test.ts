import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWorld, type World } from './fixtures';
import { startNode, type WsNode } from './nodes';
import { errorCode, rawSocket } from './socket';
import { sleep } from './workload';

/**
 * What one client may hold of a node: sockets that never authenticate, sockets per address
 * and per user, subscriptions per user, one conversation.onUpdate per socket, and calls
 * (not frames) per second. Each limit refuses with a clear code and closes nothing else.
 */

let world: World;
let node: WsNode;
beforeAll(async () => {
  world = await startWorld();
  node = await startNode({
    DATABASE_URL: world.url,
    WS_AUTH_TIMEOUT_MS: '500',
    WS_MAX_CONNECTIONS_PER_ADDRESS: '12',
    WS_MAX_SOCKETS_PER_USER: '2',
    WS_MAX_SUBSCRIPTIONS_PER_USER: '3',
    WS_MAX_FRAMES_PER_SECOND: '20',
    QUERY_RATE_PER_SECOND: '1',
    QUERY_BURST: '5',
  });
});
afterAll(async () => {
  await node?.kill();
  await world?.close();
});

const open = async (userId: string) => {
  const { token } = await world.tokens.issue(userId);
  return rawSocket(node.url, { params: { token } });
};
const subscribe = (id: number, path: string, input: unknown) => ({
  id,
  method: 'subscription',
  params: { path, input: { json: input } },
});
const query = (id: number, path = 'auth.me') => ({
  id,
  method: 'query',
  params: { path, input: { json: null } },
});

describe('sockets that never authenticate', () => {
  it(`are closed after WS_AUTH_TIMEOUT_MS with UNAUTHORIZED (4001); authenticated ones stay`, async () => {
    // connectionParams=1 promises a token frame; this socket never sends it.
    const silent = new WebSocket(`${node.url}/?connectionParams=1`);
    const frames: string[] = [];
    silent.on('message', (data) => frames.push(String(data)));
    const code = await new Promise<number>((resolve, reject) => {
      silent.once('close', (c) => resolve(c));
      silent.once('error', reject);
      setTimeout(() => reject(new Error('still open after 10 s')), 10_000).unref();
    });
    expect(code).toBe(4001);
    expect(frames.join('')).toContain('UNAUTHORIZED');

    const user = await world.user();
    const socket = await open(user.id);
    await sleep(1_000);
    socket.send(query(1));
    expect((await socket.frame((f) => f.id === 1)).result).toBeDefined();
    expect(socket.ws.readyState).toBe(WebSocket.OPEN);
    socket.ws.close();
  });
});

describe('connections per address', () => {
  it('past WS_MAX_CONNECTIONS_PER_ADDRESS, the upgrade is refused with 429; closing one makes room', async () => {
    await sleep(300); // let earlier tests' sockets finish closing
    const users = await Promise.all(Array.from({ length: 12 }, () => world.user()));
    const sockets = [];
    for (const user of users) sockets.push(await open(user.id));
    await expect(open(users[0]?.id ?? '')).rejects.toThrow(/HTTP 429/);
    sockets[0]?.ws.close();
    await sockets[0]?.closed;
    await sleep(100);
    const again = await open(users[0]?.id ?? '');
    again.ws.close();
    for (const s of sockets) s.ws.close();
    await Promise.all([again.closed, ...sockets.map((s) => s.closed)]);
  });
});

describe('per user', () => {
  it('a user past WS_MAX_SOCKETS_PER_USER is refused with TOO_MANY_REQUESTS and close 4029', async () => {
    const user = await world.user();
    const a = await open(user.id);
    const b = await open(user.id);
    // Authentication happens on the first call; make sure both are in.
    a.send(query(1));
    b.send(query(1));
    await a.frame((f) => f.id === 1);
    await b.frame((f) => f.id === 1);
    const c = await open(user.id);
    expect(errorCode(await c.frame((f) => 'error' in f))).toBe('TOO_MANY_REQUESTS');
    expect(await c.closed).toBe(4029);
    expect(a.ws.readyState).toBe(WebSocket.OPEN);
    a.ws.close();
    b.ws.close();
  });

  it('a socket that closes while its token is being checked does not keep a slot of its user', async () => {
    const user = await world.user();
    // Each socket is gone before the server has checked its token (a reload during connect).
    // Three, past the cap of 2, and within the query burst of 5 with the two below.
    for (let i = 0; i < 3; i++) {
      const gone = await open(user.id);
      gone.send(query(1));
      gone.ws.terminate();
      await gone.closed;
    }
    await sleep(300);
    const a = await open(user.id);
    const b = await open(user.id);
    a.send(query(1));
    b.send(query(1));
    expect(await a.frame((f) => f.id === 1)).toHaveProperty('result');
    expect(await b.frame((f) => f.id === 1)).toHaveProperty('result');
    a.ws.close();
    b.ws.close();
  });

  it('subscriptions past WS_MAX_SUBSCRIPTIONS_PER_USER, across sockets, are refused with TOO_MANY_REQUESTS', async () => {
    const owner = await world.user('practitioner');
    const user = await world.user();
    const group = await world.group(owner, [user]);
    const a = await open(user.id);
    const b = await open(user.id);
    const input = { conversationId: group.id };
    a.send(subscribe(1, 'typing.onChange', input));
    a.send(subscribe(2, 'receipt.onRead', input));
    b.send(subscribe(1, 'presence.onChange', input));
    for (const [s, id] of [
      [a, 1],
      [a, 2],
      [b, 1],
    ] as const) {
      expect((await s.frame((f) => f.id === id)).result).toMatchObject({ type: 'started' });
    }
    b.send(subscribe(2, 'typing.onChange', input));
    expect(errorCode(await b.frame((f) => f.id === 2 && 'error' in f))).toBe('TOO_MANY_REQUESTS');
    // Ending one frees a slot.
    a.send({ id: 1, method: 'subscription.stop' });
    await sleep(200);
    b.send(subscribe(3, 'typing.onChange', input));
    expect((await b.frame((f) => f.id === 3)).result).toMatchObject({ type: 'started' });
    a.ws.close();
    b.ws.close();
  });

  it('conversation.onUpdate is held once per socket', async () => {
    const user = await world.user();
    const socket = await open(user.id);
    socket.send(subscribe(1, 'conversation.onUpdate', null));
    expect((await socket.frame((f) => f.id === 1)).result).toMatchObject({ type: 'started' });
    socket.send(subscribe(2, 'conversation.onUpdate', null));
    const refused = await socket.frame((f) => f.id === 2 && 'error' in f);
    expect(errorCode(refused)).toBe('TOO_MANY_REQUESTS');
    expect(JSON.stringify(refused)).toContain('Only one conversation.onUpdate per connection');
    // Stopping it and subscribing again at once (a remount) is fine.
    socket.send({ id: 1, method: 'subscription.stop' });
    socket.send(subscribe(3, 'conversation.onUpdate', null));
    expect((await socket.frame((f) => f.id === 3)).result).toMatchObject({ type: 'started' });
    socket.ws.close();
  });

  it('queries are rate limited per user (TOO_MANY_REQUESTS), and the socket stays open', async () => {
    const user = await world.user();
    const socket = await open(user.id);
    for (let i = 1; i <= 15; i++) socket.send(query(i));
    await socket.frame((f) => f.id === 15);
    const limited = socket.frames.filter(
      (f) =>
        typeof f === 'object' &&
        f !== null &&
        errorCode(f as Record<string, unknown>) === 'TOO_MANY_REQUESTS',
    );
    expect(limited.length).toBeGreaterThanOrEqual(5);
    expect(socket.ws.readyState).toBe(WebSocket.OPEN);
    socket.ws.close();
  });
});

describe('a token that expires', () => {
  it('a subscription asked for between the refusal and the close is not refused for good', async () => {
    const user = await world.user();
    const group = await world.group(user, []);
    const { token } = await world.tokens.issue(user.id, 'access', 1);
    const socket = await rawSocket(node.url, { params: { token } });
    socket.send(query(1));
    await socket.frame((f) => f.id === 1);
    // The sweep refuses the socket once the token expires (an error frame with id null).
    await socket.frame((f) => f.id === null && errorCode(f) === 'UNAUTHORIZED', 5_000);
    socket.send(subscribe(2, 'message.onEvent', { conversationId: group.id }));
    expect(await socket.closed).toBe(4001);
    // Nothing final for it: the client resubscribes once it has reconnected with a fresh token.
    expect(socket.frames.filter((f) => (f as { id?: unknown }).id === 2)).toEqual([]);
  });
});

describe('calls, not frames', () => {
  it('a frame carrying a batch of 60 calls counts as 60 against the flood limit: the socket is closed (4009)', async () => {
    const user = await world.user();
    const socket = await open(user.id);
    socket.send(Array.from({ length: 60 }, (_, i) => query(i + 1)));
    expect(await socket.closed).toBe(4009);
  });

  it('frames that fail to parse count too: a flood of them closes the socket (4009)', async () => {
    const user = await world.user();
    const socket = await open(user.id);
    for (let i = 0; i < 60; i++) socket.ws.send('{not json');
    expect(await socket.closed).toBe(4009);
  });
});
