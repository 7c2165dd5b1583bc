import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { chat, createChatServices } from '@estuary/api';
import { createMemoryBus } from '@estuary/realtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from './fixtures';
import { SECRET, startNode, type WsNode } from './nodes';
import { errorCode, rawSocket } from './socket';
import { sendReliably, sleep } from './workload';

/**
 * A reader removed while its replay is still under way (it reads slowly, so the replay
 * waits on its socket) gets nothing posted after the removal: replay re-checks membership
 * between pages and stops once access is revoked.
 */

let world: World;
let node: WsNode;
beforeAll(async () => {
  world = await startWorld();
  node = await startNode({
    DATABASE_URL: world.url,
    WS_BACKPRESSURE_BYTES: String(64 * 1024),
    WS_STALL_TIMEOUT_MS: '60000',
  });
});
afterAll(async () => {
  await node?.kill();
  await world?.close();
});

describe('a slow reader removed mid-replay', () => {
  it('gets nothing posted after the removal, and its stream ends with FORBIDDEN', async () => {
    const owner = await world.user('practitioner');
    const reader = await world.user();
    const group = await world.group(owner, [reader]);
    // A long history, written directly (setup, not under test): ~12 KB per message.
    const services = createChatServices({
      db: world.db,
      bus: createMemoryBus(),
      authSecret: SECRET,
    });
    const big = '€'.repeat(3_990);
    for (let i = 0; i < 1_500; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, k) =>
          chat.sendMessage(services.deps, owner, {
            conversationId: group.id,
            clientId: randomUUID(),
            content: `${i + k} ${big}`,
          }),
        ),
      );
    }
    await services.close();

    const { token } = await world.tokens.issue(reader.id);
    const slow = await rawSocket(node.url, { params: { token } });
    slow.send({
      id: 1,
      method: 'subscription',
      params: {
        path: 'message.onEvent',
        input: { json: { conversationId: group.id, lastEventId: '0' } },
      },
    });
    await slow.frame((f) => f.id === 1 && (f.result as { type?: string })?.type === 'data');
    // Stop reading: the replay fills the socket's buffers and waits.
    const tcp = (slow.ws as unknown as { _socket: Socket })._socket;
    tcp.pause();
    await sleep(1_000);

    const writer = world.client(owner, node.url);
    await writer.conversation.removeParticipant.mutate({
      conversationId: group.id,
      userId: reader.id,
    });
    const after = await sendReliably(writer, group.id, 'posted after the removal');
    await sleep(300);

    tcp.resume();
    const end = await slow.frame((f) => f.id === 1 && 'error' in f, 60_000);
    expect(errorCode(end)).toBe('FORBIDDEN');
    const seen = JSON.stringify(slow.frames);
    expect(seen).not.toContain('posted after the removal');
    expect(seen).not.toContain(after.id);
    slow.ws.close();
  });
});
