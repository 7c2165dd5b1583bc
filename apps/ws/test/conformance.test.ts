import { randomUUID } from 'node:crypto';
import type { AppRouter } from '@estuary/api';
import {
  createTRPCClient,
  createWSClient,
  type TRPCClientError,
  type TRPCClientErrorLike,
  wsLink,
} from '@trpc/client';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWorld, type World } from './fixtures';
import { startNode, type WsNode } from './nodes';
import { sleep } from './workload';

/**
 * tRPC's own client (createWSClient + wsLink, nothing of ours) through every part of the
 * socket protocol, against the lean handler and the stock one: whatever a client sees must
 * not depend on which serves it.
 */

const handlers = ['lean', 'stock'] as const;
let world: World;
const nodes: Partial<Record<(typeof handlers)[number], WsNode>> = {};
const sockets: ReturnType<typeof createWSClient>[] = [];

beforeAll(async () => {
  world = await startWorld();
  for (const handler of handlers)
    nodes[handler] = await startNode({ DATABASE_URL: world.url, WS_HANDLER: handler });
});
afterAll(async () => {
  for (const s of sockets) await s.close().catch(() => {});
  for (const node of Object.values(nodes)) await node?.kill();
  await world?.close();
});

type Client = ReturnType<typeof createTRPCClient<AppRouter>>;

function stockClient(
  url: string,
  token: () => Promise<string>,
  events: { onClose?: (code: number | undefined) => void } = {},
): { client: Client; socket: ReturnType<typeof createWSClient> } {
  const socket = createWSClient({
    url,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: async () => ({ token: await token() }),
    retryDelayMs: () => 100,
    keepAlive: { enabled: true, intervalMs: 300, pongTimeoutMs: 1_000 },
    onClose: (cause) => events.onClose?.(cause?.code),
  });
  sockets.push(socket);
  const client = createTRPCClient<AppRouter>({
    links: [wsLink<AppRouter>({ client: socket, transformer: superjson })],
  });
  return { client, socket };
}

const tokenFor = (userId: string, ttlSeconds?: number) => async () =>
  (await world.tokens.issue(userId, 'access', ttlSeconds)).token;

const codeOf = (error: unknown) =>
  (error as TRPCClientError<AppRouter>).data?.code as string | undefined;

describe.each(handlers)('the %s handler, to a stock tRPC client', (handler) => {
  const url = () => nodes[handler]?.url ?? '';

  it('takes the token in connectionParams and answers queries and mutations', async () => {
    const owner = await world.user('practitioner');
    const member = await world.user();
    const group = await world.group(owner, [member]);
    const { client } = stockClient(url(), tokenFor(owner.id));
    expect(await client.auth.me.query()).toEqual(owner);
    const sent = await client.message.send.mutate({
      conversationId: group.id,
      clientId: randomUUID(),
      content: 'hello',
    });
    expect(sent.content).toBe('hello');
    expect(sent.createdAt).toBeInstanceOf(Date); // through the transformer
  });

  it('answers calls made in one tick (one array frame), each with its own result or error', async () => {
    const user = await world.user();
    const { client } = stockClient(url(), tokenFor(user.id));
    const results = await Promise.allSettled([
      client.auth.me.query(),
      client.conversation.get.query({ conversationId: 'not-a-uuid' }),
      client.conversation.get.query({ conversationId: randomUUID() }),
      client.auth.me.query(),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    const [, bad, missing] = results;
    // The router's error formatter shapes errors: zod issues, codes, the path.
    const badError = (bad as PromiseRejectedResult).reason as TRPCClientErrorLike<AppRouter>;
    expect(codeOf(badError)).toBe('BAD_REQUEST');
    expect(badError.data?.path).toBe('conversation.get');
    expect(JSON.stringify(badError.data)).toContain('conversationId');
    expect(codeOf((missing as PromiseRejectedResult).reason)).toMatch(/NOT_FOUND|FORBIDDEN/);
  });

  it('streams a subscription: started, tracked data, resume from lastEventId, stop', async () => {
    const owner = await world.user('practitioner');
    const member = await world.user();
    const group = await world.group(owner, [member]);
    const { client } = stockClient(url(), tokenFor(member.id));
    const { client: sender } = stockClient(url(), tokenFor(owner.id));
    const seen: { id: string; content: string }[] = [];
    let started = false;
    const sub = client.message.onEvent.subscribe(
      { conversationId: group.id },
      {
        onStarted: () => {
          started = true;
        },
        onData: (event) => {
          const data = event.data as { message?: { content: string } };
          seen.push({ id: event.id, content: data.message?.content ?? '' });
        },
      },
    );
    await until(() => started);
    for (const content of ['one', 'two', 'three'])
      await sender.message.send.mutate({
        conversationId: group.id,
        clientId: randomUUID(),
        content,
      });
    await until(() => seen.length >= 3);
    expect(seen.map((s) => s.content)).toEqual(['one', 'two', 'three']);
    sub.unsubscribe();

    // Resume: everything after the first event's id, from the database.
    const resumed: string[] = [];
    const again = client.message.onEvent.subscribe(
      { conversationId: group.id, lastEventId: seen[0]?.id ?? null },
      {
        onData: (event) =>
          resumed.push((event.data as { message?: { content: string } }).message?.content ?? ''),
      },
    );
    await until(() => resumed.length >= 2);
    await sender.message.send.mutate({
      conversationId: group.id,
      clientId: randomUUID(),
      content: 'four',
    });
    await until(() => resumed.length >= 3);
    expect(resumed).toEqual(['two', 'three', 'four']);
    expect(seen).toHaveLength(3); // the stopped one got nothing more
    again.unsubscribe();
  });

  it('ends a subscription the server refuses with its error (TOO_MANY_REQUESTS)', async () => {
    const user = await world.user();
    const { client } = stockClient(url(), tokenFor(user.id));
    let first = false;
    const one = client.conversation.onUpdate.subscribe(undefined, {
      onStarted: () => {
        first = true;
      },
    });
    await until(() => first);
    const error = await new Promise<unknown>((resolve) => {
      client.conversation.onUpdate.subscribe(undefined, { onError: resolve });
    });
    expect(codeOf(error)).toBe('TOO_MANY_REQUESTS');
    one.unsubscribe();
  });

  it('keeps an idle socket open through PING/PONG', async () => {
    const user = await world.user();
    const closes: (number | undefined)[] = [];
    const { client } = stockClient(url(), tokenFor(user.id), { onClose: (c) => closes.push(c) });
    const sub = client.typing.onChange.subscribe(
      { conversationId: (await world.group(await world.user('practitioner'), [user])).id },
      {},
    );
    await sleep(2_500); // several client pings, each needing a PONG within 1 s
    expect(closes).toEqual([]);
    sub.unsubscribe();
  });

  it('fails a call pending on a socket refused for its token with UNAUTHORIZED, then closes 4001', async () => {
    const closes: (number | undefined)[] = [];
    const { client, socket } = stockClient(url(), async () => 'not-a-token', {
      onClose: (c) => closes.push(c),
    });
    const error = await client.auth.me.query().catch((e: unknown) => e);
    expect(codeOf(error)).toBe('UNAUTHORIZED');
    await until(() => closes.length > 0);
    expect(closes[0]).toBe(4001);
    await socket.close();
  });

  it('closes a socket whose token expires with 4001; the client reconnects with a fresh one and resumes', async () => {
    const owner = await world.user('practitioner');
    const member = await world.user();
    const group = await world.group(owner, [member]);
    const closes: (number | undefined)[] = [];
    const { client } = stockClient(url(), tokenFor(member.id, 3), {
      onClose: (c) => closes.push(c),
    });
    const contents: string[] = [];
    let started = false;
    const sub = client.message.onEvent.subscribe(
      { conversationId: group.id },
      {
        onStarted: () => {
          started = true;
        },
        onData: (e) =>
          contents.push((e.data as { message?: { content: string } }).message?.content ?? ''),
      },
    );
    // A first event gives the client a lastEventId, so its resubscription replays any gap.
    const { client: sender } = stockClient(url(), tokenFor(owner.id));
    await until(() => started);
    await sender.message.send.mutate({
      conversationId: group.id,
      clientId: randomUUID(),
      content: 'first',
    });
    await until(() => contents.includes('first'));
    await until(() => closes.includes(4001));
    await sender.message.send.mutate({
      conversationId: group.id,
      clientId: randomUUID(),
      content: 'later',
    });
    await until(() => contents.includes('later'));
    expect(contents).toEqual(['first', 'later']);
    sub.unsubscribe();
  });

  it('tells clients to reconnect on shutdown, and they do', async () => {
    const owner = await world.user('practitioner');
    const member = await world.user();
    const group = await world.group(owner, [member]);
    const leaving = await startNode({
      DATABASE_URL: world.url,
      WS_HANDLER: handler,
      SHUTDOWN_TIMEOUT_MS: '3000',
    });
    let target = leaving.url;
    const socket = createWSClient({
      url: () => target,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      connectionParams: async () => ({ token: await tokenFor(member.id)() }),
      retryDelayMs: () => 100,
    });
    sockets.push(socket);
    const client = createTRPCClient<AppRouter>({
      links: [wsLink<AppRouter>({ client: socket, transformer: superjson })],
    });
    const errors: string[] = [];
    const state = socket.connectionState.subscribe({
      next: (s) => {
        if (s.error) errors.push(s.error.message);
      },
    });
    const contents: string[] = [];
    let started = 0;
    const sub = client.message.onEvent.subscribe(
      { conversationId: group.id },
      {
        onStarted: () => {
          started++;
        },
        onData: (e) =>
          contents.push((e.data as { message?: { content: string } }).message?.content ?? ''),
      },
    );
    await until(() => started === 1);
    target = url();
    await leaving.kill('SIGTERM');
    expect(errors).toContain('Server requested reconnect');
    await until(() => started >= 2); // resubscribed on the other node (once or more)
    const { client: sender } = stockClient(url(), tokenFor(owner.id));
    await sender.message.send.mutate({
      conversationId: group.id,
      clientId: randomUUID(),
      content: 'after',
    });
    await until(() => contents.includes('after'));
    sub.unsubscribe();
    state.unsubscribe();
  });
});

async function until(check: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}
