import { randomUUID } from 'node:crypto';
import { startWebhookReceiver, WEBHOOK_SECRET } from '@estuary/api/notify-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from './fixtures';
import { startNode, type WsNode } from './nodes';
import { sleep } from './workload';

/**
 * The notification jobs inside real ws processes: a webhook whose sender is killed mid-request
 * is delivered by the process that is left, with the same webhook-id.
 */
let world: World;
let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
const nodes: WsNode[] = [];
beforeAll(async () => {
  world = await startWorld();
  hooks = await startWebhookReceiver();
});
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.kill()));
});
afterAll(async () => {
  await hooks?.close();
  await world?.close();
});

const env = () => ({
  DATABASE_URL: world.url,
  WEBHOOK_URL: hooks.url,
  WEBHOOK_SECRET,
  NOTIFY_DELAY_MS: '500',
  SEND_RATE_PER_SECOND: '1000',
  SEND_BURST: '1000',
});

async function until(check: () => boolean, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('notification jobs in apps/ws', () => {
  it('delivers a webhook whose process was killed mid-request, with the same webhook-id', async () => {
    const owner = await world.user('practitioner');
    const member = await world.user('client');
    const conversation = await world.group(owner, [member]);
    // The first attempt at any message.created hangs: its process dies while it waits.
    hooks.state.answer = (attempt, id) => (id.startsWith('msg_') && attempt === 1 ? 'hang' : 200);
    const first = await startNode(env());
    nodes.push(first);
    const client = world.client(owner, first.url);
    const message = await client.message.send.mutate({
      conversationId: conversation.id,
      clientId: randomUUID(),
      content: 'kept through a crash',
    });
    const id = `msg_${message.id}`;
    await until(() => hooks.attempts.includes(id), 30_000, 'the first attempt');
    await first.kill('SIGKILL');

    const second = await startNode(env());
    nodes.push(second);
    await until(
      () => hooks.received.some((h) => h.id === id),
      45_000,
      'the retried delivery',
    ).catch(async (error) => {
      const jobs = await world.db
        .$client`select task_identifier, locked_by, attempts, run_at, last_error from graphile_worker.jobs`;
      console.log(second.output(), JSON.stringify(jobs, null, 1));
      throw error;
    });
    expect(hooks.attempts.filter((a) => a === id)).toHaveLength(2);
    expect(hooks.received.filter((h) => h.id === id)).toHaveLength(1);
    expect(hooks.received.find((h) => h.id === id)).toMatchObject({
      type: 'message.created',
      data: { conversationId: conversation.id, messageId: message.id, senderId: owner.id },
    });
    expect(hooks.badSignatures).toEqual([]);

    // The member, away, is notified by the survivor too; and it all shows on /metrics.
    await until(
      () =>
        hooks.received.some((h) => h.type === 'notification.unread' && h.data.userId === member.id),
      30_000,
      'notification.unread',
    );
    const metrics = await (await fetch(`${second.http}/metrics`)).text();
    expect(metrics).toMatch(/estuary_webhooks_total\{outcome="sent"\} [1-9]/);
    expect(metrics).toMatch(/estuary_jobs_total\{outcome="done",task="webhook.send"\} [1-9]/);
    expect(metrics).toContain('estuary_notification_delay_seconds_bucket');
    expect(second.output()).not.toContain('kept through a crash');
  }, 150_000);
});
