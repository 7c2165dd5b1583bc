// What the tRPC socket handler costs, lean against stock, in one run: server CPU per delivery
// and RSS per subscribed socket. Loopback only, bounded: SOCKETS sockets (one
// `message.onEvent` subscription each, all in one conversation), then MESSAGES messages at
// RATE a second, written by this script (so the ws process pays only for the bus, the feed
// and the deliveries). Not a test: figures for the README. The lean handler runs the message
// streams in push form, the stock one iterates their generators. A third argument of
// `message.onEvents` measures the batched stream instead (one event a frame at this rate).
//
//   pnpm --filter @estuary/ws exec tsx scripts/handler-cpu.ts [sockets] [messages] [procedure]
//
// Starts an embedded Postgres in a temp folder; the bus is Postgres LISTEN/NOTIFY.
import { randomUUID } from 'node:crypto';
import { chat, createChatServices } from '@estuary/api';
import { TokenService } from '@estuary/auth';
import { closeDb, createDb } from '@estuary/db';
import { createTestDatabase, startTestCluster } from '@estuary/db/testing';
import { createBus } from '@estuary/realtime';
import WebSocket from 'ws';
import { SECRET, startNode, type WsNode } from '../test/nodes';
import { metric, sleep } from '../test/workload';

const SOCKETS = Math.min(2_000, Number(process.argv[2] ?? 500));
const MESSAGES = Math.min(1_000, Number(process.argv[3] ?? 100));
const PROCEDURE = process.argv[4] === 'message.onEvents' ? 'message.onEvents' : 'message.onEvent';
const RATE = 10; // messages a second: stock stays well under one core at 500 sockets
const KiB = 1024;

const cluster = await startTestCluster(undefined);
const database = await createTestDatabase(cluster);
const db = createDb(database.url, { max: 4 });
const bus = createBus({ databaseUrl: database.url }, { nodeId: 'handler-cpu' });
const services = createChatServices({ db, bus, authSecret: SECRET });
const person = (n: number, role: 'client' | 'practitioner') =>
  chat.registerUser(db, {
    email: `cpu-${n}-${randomUUID().slice(0, 6)}@example.com`,
    password: 'password-1',
    name: `Person ${n}`,
    role,
  });
const owner = await person(0, 'practitioner');
const reader = await person(1, 'practitioner');
const group = await chat.createGroup(services.deps, owner, {
  title: 'fan-out',
  participantIds: [reader.id],
});
const tokens = new TokenService(SECRET);

/** Opens the sockets, each subscribed; counts the data frames they receive. */
async function subscribers(node: WsNode) {
  const { token } = await tokens.issue(reader.id);
  const state = { started: 0, data: 0, sockets: [] as WebSocket[] };
  for (let i = 0; i < SOCKETS; i++) {
    const ws = new WebSocket(`${node.url}/?connectionParams=1`);
    ws.on('message', (raw) => {
      const text = String(raw);
      // Deliveries are events: a batch frame carries one `"type":"message.…"` per event.
      if (text.startsWith('{"id":1,"result":{"type":"data"'))
        state.data += text.split('"type":"message.').length - 1;
      else if (text === '{"id":1,"result":{"type":"started"}}') state.started++;
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
    ws.send(
      JSON.stringify({
        id: 1,
        method: 'subscription',
        params: { path: PROCEDURE, input: { json: { conversationId: group.id } } },
      }),
    );
    state.sockets.push(ws);
  }
  return state;
}

async function until(check: () => boolean, what: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(20);
  }
}

async function measure(handler: 'lean' | 'stock') {
  const node = await startNode({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'error',
    WS_HANDLER: handler,
    WS_MAX_CONNECTIONS_PER_ADDRESS: '0',
    WS_MAX_SOCKETS_PER_USER: String(SOCKETS + 10),
    WS_MAX_SUBSCRIPTIONS_PER_USER: String(SOCKETS + 10),
  });
  try {
    await sleep(1_000);
    // RSS moves in steps as V8 grows its heap: the median of several readings.
    const rss = async () => {
      const readings = [];
      for (let i = 0; i < 5; i++) {
        readings.push(await metric(node, 'process_resident_memory_bytes'));
        await sleep(300);
      }
      return readings.sort((a, b) => a - b)[2] ?? Number.NaN;
    };
    const cpu = () => metric(node, 'process_cpu_seconds_total');
    const rssBefore = await rss();
    const subs = await subscribers(node);
    await until(() => subs.started === SOCKETS, 'subscriptions started');
    await sleep(2_000);
    const rssAfter = await rss();
    // What the process spends doing nothing (sweeps, metrics), to take out below.
    const idle0 = await cpu();
    await sleep(3_000);
    const idlePerSecond = ((await cpu()) - idle0) / 3;

    const cpu0 = await cpu();
    const t0 = Date.now();
    for (let i = 0; i < MESSAGES; i++) {
      const due = t0 + (i * 1_000) / RATE;
      if (due > Date.now()) await sleep(due - Date.now());
      await chat.sendMessage(services.deps, owner, {
        conversationId: group.id,
        clientId: randomUUID(),
        content: `message ${i} ${'x'.repeat(100)}`,
      });
    }
    await until(() => subs.data >= SOCKETS * MESSAGES, 'every delivery');
    const seconds = (Date.now() - t0) / 1_000;
    const busy = (await cpu()) - cpu0 - idlePerSecond * seconds;
    for (const ws of subs.sockets) ws.terminate();
    return {
      handler,
      deliveries: subs.data,
      usPerDelivery: (busy * 1e6) / subs.data,
      rssPerSocketKiB: (rssAfter - rssBefore) / SOCKETS / KiB,
    };
  } finally {
    await node.kill();
  }
}

try {
  const results = [];
  for (const handler of ['lean', 'stock'] as const) results.push(await measure(handler));
  console.log(
    `${SOCKETS} sockets, one ${PROCEDURE} each, ${MESSAGES} messages at ${RATE}/s (loopback):`,
  );
  for (const r of results)
    console.log(
      `  ${r.handler.padEnd(5)}  ${r.usPerDelivery.toFixed(1).padStart(6)} µs CPU per delivery` +
        `  ${r.rssPerSocketKiB.toFixed(1).padStart(6)} KiB RSS per subscribed socket` +
        `  (${r.deliveries} deliveries)`,
    );
  const [lean, stock] = results;
  if (lean && stock)
    console.log(`  lean/stock: ${(lean.usPerDelivery / stock.usPerDelivery).toFixed(2)}× CPU`);
} finally {
  await services.close();
  await bus.close();
  await closeDb(db);
  await database.drop();
  await cluster.stop();
}
