import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWorld, type World } from './fixtures';
import { startNode, type WsNode } from './nodes';
import { sleep } from './workload';

/**
 * One scripted exchange of raw frames, played against the stock handler and the lean one on
 * the same database: every frame the server writes must be the same text from both (after
 * taking out error stacks, which name different call sites). Key order included.
 */

let world: World;
let stock: WsNode;
let lean: WsNode;
let script: Step[];
let refusedToken: string;

// Short, so the keep-alive test sees the server's PING; the transcripts leave PINGs out.
const keepAlive = { WS_PING_MS: '1000', WS_PONG_WAIT_MS: '1500' };

interface Step {
  send: unknown[];
  /** Frames the server answers with; the step waits for them (and a moment for strays). */
  expect: number;
}

beforeAll(async () => {
  world = await startWorld();
  [stock, lean] = await Promise.all([
    startNode({ DATABASE_URL: world.url, WS_HANDLER: 'stock', ...keepAlive }),
    startNode({ DATABASE_URL: world.url, WS_HANDLER: 'lean', ...keepAlive }),
  ]);
  const owner = await world.user('practitioner');
  const member = await world.user();
  const group = await world.group(owner, [member]);
  const sender = world.client(owner, stock.url);
  const sent = [];
  for (const content of ['one', 'two', 'three'])
    sent.push(
      await sender.message.send.mutate({
        conversationId: group.id,
        clientId: randomUUID(),
        content,
      }),
    );
  // The member's own earlier send: the script repeats it, and both servers return it as is.
  const mine = world.client(member, stock.url);
  const repeated = { conversationId: group.id, clientId: randomUUID(), content: 'mine' };
  await mine.message.send.mutate(repeated);
  const { token } = await world.tokens.issue(member.id);
  refusedToken = `${token}x`;
  const conversationId = group.id;
  const call = (id: number | null, method: string, path: string, input: unknown, extra = {}) => ({
    id,
    method,
    params: { path, input: { json: input }, ...extra },
    ...(id === 6 ? { jsonrpc: '2.0' } : {}),
  });
  const events = await world.eventLog(conversationId);
  const firstSeq = String(events[events.length - 3]); // replays 'three' and 'mine'
  script = [
    { send: [{ method: 'connectionParams', data: { token } }], expect: 0 },
    { send: [call(1, 'query', 'auth.me', null)], expect: 1 },
    {
      send: [
        [
          call(2, 'query', 'auth.me', null),
          call(3, 'query', 'conversation.get', { conversationId: 'nope' }),
          call(4, 'query', 'nope.nothing', null),
        ],
      ],
      expect: 3,
    },
    {
      send: [
        call(5, 'subscription', 'message.onEvent', { conversationId }, { lastEventId: firstSeq }),
      ],
      expect: 3, // started, then two replayed events
    },
    { send: [{ id: 5, method: 'subscription.stop' }], expect: 1 },
    { send: [call(6, 'subscription', 'typing.onChange', { conversationId })], expect: 1 },
    { send: [{ id: 6, jsonrpc: '2.0', method: 'subscription.stop' }], expect: 1 },
    {
      // The second is refused inside its stream: started, the error, stopped.
      send: [
        call(8, 'subscription', 'conversation.onUpdate', undefined),
        call(9, 'subscription', 'conversation.onUpdate', undefined),
      ],
      expect: 4,
    },
    { send: [{ id: 8, method: 'subscription.stop' }], expect: 1 },
    { send: ['PING'], expect: 1 },
    { send: ['not json'], expect: 1 },
    { send: [call(null, 'query', 'auth.me', null)], expect: 1 },
    {
      // A retried send: the stored message comes back, and no event is added.
      send: [call(10, 'mutation', 'message.send', repeated)],
      expect: 1,
    },
  ];
});
afterAll(async () => {
  await stock?.kill();
  await lean?.kill();
  await world?.close();
});

/** Error stacks name different call sites (both servers read the same rows, so dates match). */
const normalise = (text: string) => text.replace(/,"stack":"(?:[^"\\]|\\.)*"/g, '');

/** Frames of one step in the order written, except that different ids may interleave. */
const byId = (frames: string[]) =>
  frames
    .map((text, i) => ({ text, i, id: /^\{"id":(null|\d+)/.exec(text)?.[1] ?? '' }))
    .sort((a, b) => a.id.localeCompare(b.id) || a.i - b.i)
    .map((f) => f.text);

async function play(node: WsNode, steps: Step[]) {
  const ws = new WebSocket(`${node.url}/?connectionParams=1`);
  const frames: string[] = [];
  ws.on('message', (data) => {
    if (String(data) !== 'PING') frames.push(normalise(String(data)));
  });
  const closed = new Promise<number>((resolve) => ws.once('close', resolve));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const transcript: string[][] = [];
  for (const step of steps) {
    const from = frames.length;
    for (const message of step.send)
      ws.send(typeof message === 'string' ? message : JSON.stringify(message));
    const deadline = Date.now() + 10_000;
    while (frames.length - from < step.expect && Date.now() < deadline) await sleep(10);
    await sleep(150);
    transcript.push(byId(frames.slice(from)));
  }
  return { transcript, ws, closed };
}

describe('the lean handler writes what the stock one writes', () => {
  it('for the same scripted exchange, frame for frame', async () => {
    const fromStock = await play(stock, script);
    const fromLean = await play(lean, script);
    fromStock.ws.close();
    fromLean.ws.close();
    // The script means something: every step was answered as planned.
    expect(fromStock.transcript.map((frames) => frames.length)).toEqual(
      script.map((s) => s.expect),
    );
    expect(fromLean.transcript).toEqual(fromStock.transcript);
    expect(fromStock.transcript.flat().join('\n')).toContain('"code":"TOO_MANY_REQUESTS"');
  });

  it('for a socket refused for its token: the error, the pending call its own, close 4001', async () => {
    const refused: Step[] = [
      {
        send: [
          { method: 'connectionParams', data: { token: refusedToken } },
          { id: 1, method: 'query', params: { path: 'auth.me', input: { json: null } } },
        ],
        expect: 2,
      },
    ];
    const fromStock = await play(stock, refused);
    const fromLean = await play(lean, refused);
    expect(fromLean.transcript).toEqual(fromStock.transcript);
    const [call, socket] = fromStock.transcript[0] ?? [];
    expect(socket).toMatch(/^\{"id":null,.*"code":"UNAUTHORIZED"/);
    expect(call).toMatch(/^\{"id":1,.*"code":"UNAUTHORIZED"/);
    expect(await fromStock.closed).toBe(4001);
    expect(await fromLean.closed).toBe(4001);
  });

  it('for keep-alive: PING to a silent socket, cut if it stays silent, kept if it answers PONG', async () => {
    for (const node of [stock, lean]) {
      const user = await world.user();
      const { token } = await world.tokens.issue(user.id);
      const open = async () => {
        const ws = new WebSocket(`${node.url}/?connectionParams=1`);
        const seen: string[] = [];
        ws.on('message', (data) => seen.push(String(data)));
        const closed = new Promise<number>((resolve) => ws.once('close', resolve));
        await new Promise((resolve) => ws.once('open', resolve));
        ws.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
        return { ws, seen, closed };
      };
      const silent = await open();
      const answering = await open();
      answering.ws.on('message', (data) => {
        if (String(data) === 'PING') answering.ws.send('PONG');
      });
      // No close frame: the server drops a socket that does not answer (1006 here).
      expect(await silent.closed).toBe(1006);
      expect(silent.seen).toContain('PING');
      await sleep(1_500);
      expect(answering.seen).toContain('PING');
      expect(answering.ws.readyState).toBe(WebSocket.OPEN);
      answering.ws.close();
    }
  });

  it('for the reconnect notice on shutdown', async () => {
    const frames: Record<string, string[]> = {};
    for (const handler of ['stock', 'lean']) {
      const node = await startNode({
        DATABASE_URL: world.url,
        WS_HANDLER: handler,
        SHUTDOWN_TIMEOUT_MS: '2000',
      });
      const user = await world.user();
      const { token } = await world.tokens.issue(user.id);
      const { ws, transcript } = await play(node, [
        { send: [{ method: 'connectionParams', data: { token } }], expect: 0 },
        {
          send: [{ id: 1, method: 'query', params: { path: 'auth.me', input: { json: null } } }],
          expect: 1,
        },
      ]);
      expect(transcript[1]).toHaveLength(1);
      const seen: string[] = [];
      ws.on('message', (data) => seen.push(String(data)));
      await node.kill('SIGTERM');
      frames[handler] = seen;
    }
    expect(frames.lean).toEqual(frames.stock);
    expect(frames.stock).toContain('{"id":null,"method":"reconnect"}');
  });
});
