import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { apiAs } from '../harness/api';
import { connected, screenshot } from '../harness/browser';
import { row, send, shownTexts } from '../harness/chat-page';
import type { World } from './world';

/** A ws server that dies mid-conversation, a pruned event log, and sends that fail. */
export function resilience(world: World) {
  it('queues messages while ws is down, across a reload, and delivers them once, in order', async () => {
    const { stack, ada, chloe } = world;
    const first = 'Writing this while the connection is down.';
    const second = 'And this one too, it should arrive second.';
    await stack.killWs();
    const status = chloe.getByRole('status', { name: 'Connection' });
    await status.getByText(/Reconnecting/).waitFor({ timeout: 30_000 });

    await send(chloe, first);
    await send(chloe, second);
    await row(chloe, first)
      .getByText(/Queued/)
      .waitFor();
    await row(chloe, second)
      .getByText(/Queued/)
      .waitFor();
    await screenshot(chloe, '5-queued');
    // A reload while offline keeps the queue (localStorage), in order.
    await chloe.reload();
    await row(chloe, first)
      .getByText(/Queued/)
      .waitFor({ timeout: 60_000 });
    await row(chloe, second)
      .getByText(/Queued/)
      .waitFor();
    const stored = () =>
      stack.db.$client<{ content: string; seq: number }[]>`
        select content, seq from messages where content in (${first}, ${second}) order by seq`;
    expect(await stored()).toHaveLength(0);

    await stack.restartWs();
    await connected(chloe, 90_000);
    await connected(ada, 90_000);
    await row(ada, second).waitFor({ timeout: 60_000 });
    await row(chloe, second)
      .getByText(/Sent|Delivered|Read/)
      .waitFor();

    const texts = await shownTexts(ada);
    expect(texts.filter((t) => t === first)).toHaveLength(1);
    expect(texts.filter((t) => t === second)).toHaveLength(1);
    expect(texts.indexOf(first)).toBeLessThan(texts.indexOf(second));
    const rows = await stored();
    expect(rows.map((r) => r.content)).toEqual([first, second]);
    await screenshot(ada, '5-after-reconnect');
  });

  it('refetches history when the server can no longer resume (STALE_EVENT_ID)', async () => {
    const { stack, ada, chloe } = world;
    const conversationId = stack.seededConversationId;
    await stack.killWs();
    // While both are away, two messages arrive and the event log loses all but the last:
    // the ids they hold are now older than what the server can replay.
    const api = await apiAs(stack.baseUrl, 'ada@example.com');
    const lines = ['Sent while you were away.', 'And the log was pruned after it.'];
    for (const content of lines) {
      await api.mutate('message.send', { conversationId, clientId: randomUUID(), content });
    }
    await stack.db.$client`
      delete from message_events where conversation_id = ${conversationId}
        and seq < (select last_event_seq from conversations where id = ${conversationId})`;
    await stack.restartWs();

    for (const page of [ada, chloe]) {
      await connected(page, 90_000);
      await row(page, lines[1] ?? '').waitFor({ timeout: 60_000 });
      const texts = await shownTexts(page);
      expect(texts.filter((t) => t === lines[0])).toHaveLength(1);
      expect(texts.indexOf(lines[0] ?? '')).toBeLessThan(texts.indexOf(lines[1] ?? ''));
    }
    // And live delivery works again from the new starting point.
    await send(chloe, 'Back in sync?');
    await row(ada, 'Back in sync?').waitFor();
  });

  it('shows a send whose answer was lost once, and offers Retry when sends fail', async () => {
    const { stack, ada, chloe } = world;
    const pattern = '**/api/trpc/*message.send*';
    const stored = (text: string) =>
      stack.db.$client`select id from messages where content = ${text}`;
    const count = async (page: typeof ada, text: string) =>
      (await shownTexts(page)).filter((t) => t === text).length;

    // The send reaches the server but its answer is lost: the stream proves it arrived.
    const lost = 'Did this one arrive?';
    // A handler still in flight when the route is removed finds it handled: that is fine.
    await chloe.route(pattern, async (route) => {
      await route.fetch().catch(() => {});
      await route.abort('failed').catch(() => {});
    });
    await send(chloe, lost);
    await row(ada, lost).waitFor();
    await row(chloe, lost)
      .getByText(/^(Sent|Delivered|Read)$/)
      .waitFor();
    expect(await stored(lost)).toHaveLength(1);
    await chloe.unroute(pattern);

    // Sends cannot get through at all: after a few retries it says so, with Retry.
    const failing = 'This one needs a retry.';
    await chloe.route(pattern, (route) => route.abort('failed').catch(() => {}));
    await send(chloe, failing);
    const retry = row(chloe, failing).getByRole('button', { name: 'Retry' });
    await retry.waitFor({ timeout: 60_000 });
    await row(chloe, failing).getByText('Not sent').waitFor();
    await screenshot(chloe, '5-failed');
    expect(await stored(failing)).toHaveLength(0);
    await chloe.unroute(pattern);
    await retry.click();
    await row(ada, failing).waitFor();
    await row(chloe, failing)
      .getByText(/^(Sent|Delivered|Read)$/)
      .waitFor();

    for (const text of [lost, failing]) {
      expect(await stored(text)).toHaveLength(1);
      expect(await count(chloe, text)).toBe(1);
      expect(await count(ada, text)).toBe(1);
    }
  });
}
