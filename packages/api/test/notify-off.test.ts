import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNotifyWorker } from '../src/notify/worker';
import { bookedPair, type Stack, startStack } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('notification jobs with nothing to deliver', () => {
  it('are not started without VAPID keys or a webhook: no queue, nothing queued per send', async () => {
    const lines: string[] = [];
    const worker = await startNotifyWorker({
      databaseUrl: stack.databaseUrl,
      db: stack.db,
      config: {
        delayMs: 0,
        preview: false,
        allowInsecureEndpoints: false,
        webhook: null,
        vapid: null,
      },
      nodeId: `test-notify-off-${process.pid}`,
      log: (_, message) => lines.push(message),
    });
    const { client, conversation } = await bookedPair(stack);
    await client.client.message.send.mutate({
      conversationId: conversation.id,
      clientId: randomUUID(),
      content: 'nobody to push to',
    });
    const [row] = await stack.db.execute<{ queue: string | null }>(
      sql`select to_regnamespace('graphile_worker')::text as queue`,
    );
    expect(row?.queue).toBeNull();
    expect(lines.join('\n')).toMatch(/not started/);
    await worker.stop();
  });
});
