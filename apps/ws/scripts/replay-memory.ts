// Measures what sockets that stop reading cost the server: five sockets, each opening 200
// `message.onEvent` subscriptions that replay a long history from the start, then never read.
// Prints the ws process's RSS before and at its peak. Not a test: figures for the README.
//
//   pnpm --filter @estuary/ws exec tsx scripts/replay-memory.ts [postgres-admin-url] [sockets]
//
// Without a URL it starts an embedded Postgres in a temp folder.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { chat, createChatServices } from '@estuary/api';
import { TokenService } from '@estuary/auth';
import { closeDb, createDb } from '@estuary/db';
import { createTestDatabase, startTestCluster } from '@estuary/db/testing';
import { createMemoryBus } from '@estuary/realtime';
import { SECRET, startNode } from '../test/nodes';
import { rawSocket } from '../test/socket';
import { metric } from '../test/workload';

const SOCKETS = Number(process.argv[3] ?? 5);
const SUBSCRIPTIONS = 200;
const MESSAGES = 3_000;
const MiB = 1024 * 1024;

const cluster = await startTestCluster(process.argv[2]);
const database = await createTestDatabase(cluster);
const db = createDb(database.url, { max: 4 });
const services = createChatServices({ db, bus: createMemoryBus(), authSecret: SECRET });
const user = (n: number) =>
  chat.registerUser(db, {
    email: `rss-${n}-${randomUUID().slice(0, 6)}@example.com`,
    password: 'password-1',
    name: `Reader ${n}`,
    role: 'client',
  });
const owner = await user(0);
const readers = await Promise.all(Array.from({ length: SOCKETS }, (_, i) => user(i + 1)));
const group = await chat.createGroup(services.deps, owner, {
  title: 'history',
  participantIds: readers.map((r) => r.id),
});
const content = 'x'.repeat(3_900);
for (let i = 0; i < MESSAGES; i += 100) {
  await Promise.all(
    Array.from({ length: 100 }, () =>
      chat.sendMessage(services.deps, owner, {
        conversationId: group.id,
        clientId: randomUUID(),
        content,
      }),
    ),
  );
}
console.log(`history: ${MESSAGES} messages of ${content.length} characters`);

const node = await startNode({
  DATABASE_URL: database.url,
  LOG_LEVEL: 'error',
  // Long enough that nothing is cut while we measure.
  WS_STALL_TIMEOUT_MS: '120000',
});
const tokens = new TokenService(SECRET);
const rss = () => metric(node, 'process_resident_memory_bytes');
try {
  await new Promise((r) => setTimeout(r, 1_000));
  const before = await rss();
  const sockets = [];
  for (const reader of readers) {
    const { token } = await tokens.issue(reader.id);
    const socket = await rawSocket(node.url, { params: { token } });
    for (let id = 1; id <= SUBSCRIPTIONS; id++) {
      socket.send({
        id,
        method: 'subscription',
        params: {
          path: 'message.onEvent',
          input: { json: { conversationId: group.id, lastEventId: '0' } },
        },
      });
    }
    // And stop reading.
    (socket.ws as unknown as { _socket: Socket })._socket.pause();
    sockets.push(socket);
  }
  let peak = before;
  for (let i = 0; i < 15; i++) {
    await new Promise((r) => setTimeout(r, 1_000));
    peak = Math.max(peak, await rss());
  }
  console.log(
    `${SOCKETS} sockets x ${SUBSCRIPTIONS} replaying subscriptions, not reading: ` +
      `server RSS ${(before / MiB).toFixed(0)} MiB before, peak ${(peak / MiB).toFixed(0)} MiB, ` +
      `moved by ${((peak - before) / MiB).toFixed(0)} MiB (target < 100 MiB)`,
  );
  for (const s of sockets) s.ws.terminate();
} finally {
  await node.kill();
  await services.close();
  await closeDb(db);
  await database.drop();
  await cluster.stop();
}
