import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotifyConfig } from '../src';
import { checkEndpointUrl, isPrivateAddress, RefusedEndpoint } from '../src/notify/endpoint';
import { sendPush } from '../src/notify/push';
import {
  startPushReceiver,
  startWebhookReceiver,
  vapidKeys,
  WEBHOOK_SECRET,
} from '../src/notify/testing';
import { type NotifyWorker, startNotifyWorker } from '../src/notify/worker';
import {
  bookedPair,
  codeOf,
  eventually,
  type Member,
  type Stack,
  sleep,
  startStack,
} from './harness';

const DELAY_MS = 600;
const vapid = vapidKeys();
let stack: Stack;
let worker: NotifyWorker;
let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
let push: Awaited<ReturnType<typeof startPushReceiver>>;
const counts: Record<string, number> = {};
const count = (key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

beforeAll(async () => {
  hooks = await startWebhookReceiver();
  push = await startPushReceiver();
  stack = await startStack({
    limits: { sendRatePerSecond: 1_000, sendBurst: 1_000 },
    notify: { vapidPublicKey: vapid.publicKey, allowInsecureEndpoints: true },
  });
  const config: NotifyConfig = {
    delayMs: DELAY_MS,
    preview: false,
    allowInsecureEndpoints: true,
    webhook: { url: hooks.url, secret: WEBHOOK_SECRET },
    vapid,
  };
  worker = await startNotifyWorker({
    databaseUrl: stack.databaseUrl,
    db: stack.db,
    config,
    nodeId: `test-notify-${process.pid}`,
    log: () => {},
    pollIntervalMs: 100,
    metrics: {
      job: (outcome, task) => count(`job:${outcome}:${task}`),
      push: (outcome) => count(`push:${outcome}`),
      webhook: (outcome) => count(`webhook:${outcome}`),
    },
  });
});
afterAll(async () => {
  await worker?.stop();
  await stack?.close();
  await hooks?.close();
  await push?.close();
});

const send = (m: Member, conversationId: string, content: string) =>
  m.client.message.send.mutate({ conversationId, clientId: randomUUID(), content });
const pushesFor = (conversationId: string) =>
  push.received.filter((p) => p.payload.conversationId === conversationId);

describe('notifications', () => {
  it('pushes once after the delay to a reader who stays away, encrypted, naming the conversation', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const subscription = push.subscription();
    await practitioner.client.notification.subscribe.mutate(subscription);
    await practitioner.client.notification.subscribe.mutate(subscription); // idempotent
    const sentAt = Date.now();
    for (const text of ['one', 'two', 'three']) await send(client, conversation.id, text);

    await eventually(() => expect(pushesFor(conversation.id)).toHaveLength(1), 15_000);
    const [first] = pushesFor(conversation.id);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(DELAY_MS);
    expect(first?.payload).toMatchObject({
      conversationId: conversation.id,
      title: client.user.name,
      body: '3 new messages',
      url: `/conversations/${conversation.id}`,
      tag: `conversation-${conversation.id}`,
    });
    expect(JSON.stringify(first?.payload)).not.toContain('three');
    expect(first?.headers.topic).toBe(conversation.id.replaceAll('-', ''));
    expect(String(first?.headers.authorization)).toMatch(/^vapid t=.+, k=/);

    // More unread messages do not notify again until they read.
    await send(client, conversation.id, 'four');
    await sleep(DELAY_MS * 3);
    expect(pushesFor(conversation.id)).toHaveLength(1);
    // The sender is never notified of their own messages.
    expect(
      hooks.received.filter(
        (h) =>
          h.type === 'notification.unread' &&
          h.data.userId === client.user.id &&
          h.data.conversationId === conversation.id,
      ),
    ).toEqual([]);

    // Once they have read, the next message notifies again.
    await practitioner.client.receipt.markRead.mutate({ conversationId: conversation.id, seq: 4 });
    await send(client, conversation.id, 'five');
    await eventually(() => expect(pushesFor(conversation.id)).toHaveLength(2), 15_000);
    expect(pushesFor(conversation.id)[1]?.payload.body).toBe('1 new message');
  });

  it('sends nothing to a reader who reads in time, or who muted the conversation', async () => {
    const reads = await bookedPair(stack);
    const mutes = await bookedPair(stack);
    await reads.practitioner.client.notification.subscribe.mutate(push.subscription());
    await mutes.practitioner.client.notification.subscribe.mutate(push.subscription());
    await mutes.practitioner.client.conversation.setMuted.mutate({
      conversationId: mutes.conversation.id,
      muted: true,
    });
    const message = await send(reads.client, reads.conversation.id, 'quick question');
    await send(mutes.client, mutes.conversation.id, 'muted question');
    await reads.practitioner.client.receipt.markRead.mutate({
      conversationId: reads.conversation.id,
      seq: message.seq,
    });
    await sleep(DELAY_MS * 4);
    expect(pushesFor(reads.conversation.id)).toEqual([]);
    expect(pushesFor(mutes.conversation.id)).toEqual([]);
    const unread = hooks.received.filter(
      (h) =>
        h.type === 'notification.unread' &&
        [reads.conversation.id, mutes.conversation.id].includes(String(h.data.conversationId)),
    );
    expect(unread).toEqual([]);
  });

  it('deletes a subscription the push service answers 410 for', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const gone = push.subscription('/push/gone');
    await practitioner.client.notification.subscribe.mutate(gone);
    push.state.status = 410;
    try {
      await send(client, conversation.id, 'anyone there?');
      await eventually(async () => {
        const rows = await stack.db
          .$client`select 1 from push_subscriptions where endpoint = ${gone.endpoint}`;
        expect(rows).toHaveLength(0);
      }, 15_000);
    } finally {
      push.state.status = 201;
    }
    expect(counts['push:gone']).toBeGreaterThanOrEqual(1);
  });

  it('signs webhooks: message.created without content, and notification.unread', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const message = await send(client, conversation.id, 'a secret of the session');
    await eventually(() => {
      const created = hooks.received.find(
        (h) => h.data.messageId === message.id && h.type === 'message.created',
      );
      expect(created).toBeDefined();
      const unread = hooks.received.find(
        (h) => h.type === 'notification.unread' && h.data.conversationId === conversation.id,
      );
      expect(unread).toBeDefined();
    }, 15_000);
    const created = hooks.received.find((h) => h.data.messageId === message.id);
    expect(created).toMatchObject({
      id: `msg_${message.id}`,
      type: 'message.created',
      data: {
        conversationId: conversation.id,
        messageId: message.id,
        seq: message.seq,
        senderId: client.user.id,
      },
    });
    const unread = hooks.received.find(
      (h) => h.type === 'notification.unread' && h.data.conversationId === conversation.id,
    );
    expect(unread?.data).toMatchObject({
      userId: practitioner.user.id,
      messageId: message.id,
      senderName: client.user.name,
      unreadCount: 1,
    });
    expect(JSON.stringify(hooks.received)).not.toContain('a secret of the session');
    expect(hooks.badSignatures).toEqual([]);
  });

  it('retries a failing receiver with the same webhook-id until it answers', async () => {
    const { client, conversation } = await bookedPair(stack);
    hooks.state.answer = (attempt) => (attempt <= 2 ? 503 : 200);
    try {
      const message = await send(client, conversation.id, 'retry me');
      const id = `msg_${message.id}`;
      // graphile-worker's backoff: about 3 s, then about 7 s.
      await eventually(() => expect(hooks.received.some((h) => h.id === id)).toBe(true), 40_000);
      expect(hooks.attempts.filter((a) => a === id)).toHaveLength(3);
      expect(hooks.received.filter((h) => h.id === id)).toHaveLength(1);
    } finally {
      hooks.state.answer = () => 200;
    }
    expect(counts['job:retried:webhook.send']).toBeGreaterThanOrEqual(2);
    expect(hooks.badSignatures).toEqual([]);
  }, 60_000);
});

describe('notification procedures', () => {
  it('gives the VAPID public key and validates subscriptions', async () => {
    const member = await stack.signUp();
    expect(await member.client.notification.vapidPublicKey.query()).toEqual({
      publicKey: vapid.publicKey,
    });
    expect(await codeOf(stack.anonymous.notification.vapidPublicKey.query())).toBe('UNAUTHORIZED');
    expect(
      await codeOf(
        member.client.notification.subscribe.mutate({
          endpoint: 'not a url',
          keys: { p256dh: 'abc', auth: 'def' },
        }),
      ),
    ).toBe('BAD_REQUEST');
    expect(
      await codeOf(
        member.client.notification.subscribe.mutate({
          endpoint: 'https://push.example.com/x',
          keys: { p256dh: 'not base64!', auth: 'def' },
        }),
      ),
    ).toBe('BAD_REQUEST');
    const sub = push.subscription();
    await member.client.notification.subscribe.mutate(sub);
    await member.client.notification.unsubscribe.mutate({ endpoint: sub.endpoint });
    const rows = await stack.db
      .$client`select 1 from push_subscriptions where endpoint = ${sub.endpoint}`;
    expect(rows).toHaveLength(0);
  });
});

describe('push endpoints', () => {
  it('are https on public hosts only, unless insecure endpoints are allowed', () => {
    for (const endpoint of [
      'http://push.example.com/x',
      'https://127.0.0.1/x',
      'https://10.1.2.3/x',
      'https://192.168.1.1/x',
      'https://169.254.169.254/latest',
      'https://[::1]/x',
      'https://[fe80::1]/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://user:pass@push.example.com/x',
      'ftp://push.example.com/x',
    ])
      expect(() => checkEndpointUrl(endpoint, false), endpoint).toThrow(RefusedEndpoint);
    expect(checkEndpointUrl('https://fcm.googleapis.com/fcm/send/abc', false).host).toBe(
      'fcm.googleapis.com',
    );
    expect(checkEndpointUrl('http://127.0.0.1:9/x', true).port).toBe('9');
    for (const address of ['8.8.8.8', '2606:4700::1111'])
      expect(isPrivateAddress(address)).toBe(false);
  });

  it('never calls a name that resolves to a private address', async () => {
    const member = await stack.signUp();
    const refusedBefore = counts['push:refused'] ?? 0;
    const { endpoint, keys } = push.subscription();
    // A public-looking https URL whose name resolves to loopback, where our receiver listens.
    const sneaky = endpoint.replace('http://127.0.0.1', 'https://localhost');
    await stack.db.$client`insert into push_subscriptions (endpoint, user_id, p256dh, auth)
      values (${sneaky}, ${member.user.id}, ${keys.p256dh}, ${keys.auth})`;
    const before = push.received.length;
    await sendPush(
      stack.db,
      { delayMs: 0, preview: false, allowInsecureEndpoints: false, webhook: null, vapid },
      { push: (outcome) => count(`push:${outcome}`) },
      () => {},
      {
        endpoint: sneaky,
        userId: member.user.id,
        notification: {
          conversationId: randomUUID(),
          title: 't',
          body: 'b',
          unreadCount: 1,
          url: '/',
          tag: 't',
        },
      },
    );
    expect(counts['push:refused']).toBe(refusedBefore + 1);
    expect(push.received.length).toBe(before);
  });
});
