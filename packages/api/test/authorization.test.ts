import { randomUUID } from 'node:crypto';
import { TokenService } from '@estuary/auth';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { appRouter } from '../src';
import { topics } from '../src/events';
import type { TestClient } from './client';
import {
  bookedPair,
  codeOf,
  collector,
  type Member,
  SECRET,
  type Stack,
  sleep,
  startStack,
} from './harness';

/**
 * Every procedure, called by three intruders: no token, an expired token, and a valid user
 * who is not a participant. Each must be refused with the contract's code, and the database
 * must be exactly as it was. Procedures that only act on the caller's own account are
 * checked for leaks instead.
 */

let stack: Stack;
let victim: Awaited<ReturnType<typeof bookedPair>>;
let message: { id: string };
let attachmentId: string;
let outsider: Member;
let expiredToken: string;

beforeAll(async () => {
  stack = await startStack();
  victim = await bookedPair(stack);
  message = await victim.client.client.message.send.mutate({
    conversationId: victim.conversation.id,
    clientId: randomUUID(),
    content: 'private',
  });
  outsider = await stack.signUp('practitioner', 'Outsider');
  attachmentId = (
    await victim.client.client.attachment.createUpload.mutate({
      ...ids(),
      name: 'private.pdf',
      contentType: 'application/pdf',
      size: 100,
    })
  ).attachment.id;
  expiredToken = (await new TokenService(SECRET).issue(outsider.user.id, 'access', -5)).token;
});
afterAll(() => stack.close());

type Call = (c: TestClient) => Promise<unknown>;
type Sub = (c: TestClient, handlers: ReturnType<typeof collector>) => { unsubscribe(): void };

const ids = () => ({ conversationId: victim.conversation.id });

/** Calls aimed at the victim's booking, conversation and message. */
const scoped: Record<string, Call> = {
  'booking.create': (c) =>
    c.booking.create.mutate({
      practitionerId: victim.practitioner.user.id,
      clientId: victim.client.user.id,
      startsAt: new Date(Date.now() + 1e6),
      endsAt: new Date(Date.now() + 2e6),
    }),
  'booking.cancel': (c) => c.booking.cancel.mutate({ bookingId: victim.booking.id }),
  'booking.reschedule': (c) =>
    c.booking.reschedule.mutate({
      bookingId: victim.booking.id,
      startsAt: new Date(Date.now() + 3e6),
      endsAt: new Date(Date.now() + 4e6),
    }),
  // Service procedures: no user may call them at all (service-tokens.test.ts has the scopes).
  'user.upsert': (c) =>
    c.user.upsert.mutate({
      externalId: `ext-${victim.client.user.id}`,
      email: victim.client.user.email,
      name: 'Taken over',
      role: 'client',
    }),
  'message.sendSystem': (c) =>
    c.message.sendSystem.mutate({ ...ids(), clientId: randomUUID(), content: 'fake notice' }),
  'conversation.forBooking': (c) =>
    c.conversation.forBooking.mutate({ bookingId: victim.booking.id }),
  'conversation.addParticipant': (c) =>
    c.conversation.addParticipant.mutate({ ...ids(), userId: outsider.user.id }),
  'conversation.removeParticipant': (c) =>
    c.conversation.removeParticipant.mutate({ ...ids(), userId: victim.client.user.id }),
  'conversation.get': (c) => c.conversation.get.query(ids()),
  'message.send': (c) =>
    c.message.send.mutate({ ...ids(), clientId: randomUUID(), content: 'intrusion' }),
  'message.edit': (c) => c.message.edit.mutate({ messageId: message.id, content: 'defaced' }),
  'message.delete': (c) => c.message.delete.mutate({ messageId: message.id }),
  'message.list': (c) => c.message.list.query(ids()),
  'typing.set': (c) => c.typing.set.mutate({ ...ids(), isTyping: true }),
  'receipt.markRead': (c) => c.receipt.markRead.mutate({ ...ids(), seq: 1 }),
  'receipt.list': (c) => c.receipt.list.query(ids()),
  'receipt.markDelivered': (c) => c.receipt.markDelivered.mutate({ ...ids(), seq: 1 }),
  'conversation.setMuted': (c) => c.conversation.setMuted.mutate({ ...ids(), muted: true }),
  'presence.list': (c) => c.presence.list.query(ids()),
  'reaction.add': (c) => c.reaction.add.mutate({ messageId: message.id, emoji: '👍' }),
  'reaction.remove': (c) => c.reaction.remove.mutate({ messageId: message.id, emoji: '👍' }),
  'message.replies': (c) => c.message.replies.query({ messageId: message.id }),
  'conversation.rename': (c) => c.conversation.rename.mutate({ ...ids(), title: 'Taken' }),
  'conversation.leave': (c) => c.conversation.leave.mutate(ids()),
  'message.search': (c) => c.message.search.query({ query: 'private', ...ids() }),
  // The contact rule: a stranger cannot pull the victim (a client) into a conversation.
  'conversation.direct': (c) => c.conversation.direct.mutate({ userId: victim.client.user.id }),
  'attachment.createUpload': (c) =>
    c.attachment.createUpload.mutate({
      ...ids(),
      name: 'x.pdf',
      contentType: 'application/pdf',
      size: 10,
    }),
  'attachment.get': (c) => c.attachment.get.query({ attachmentId }),
};

const scopedSubscriptions: Record<string, Sub> = {
  'message.onEvent': (c, h) => c.message.onEvent.subscribe({ ...ids(), lastEventId: '0' }, h),
  'message.onEvents': (c, h) => c.message.onEvents.subscribe({ ...ids(), lastEventId: '0' }, h),
  'typing.onChange': (c, h) => c.typing.onChange.subscribe(ids(), h),
  'receipt.onRead': (c, h) => c.receipt.onRead.subscribe(ids(), h),
  'presence.onChange': (c, h) => c.presence.onChange.subscribe(ids(), h),
};

/** Calls on the caller's own account: allowed, but must not reveal the victim's data. */
const own: Record<string, Call> = {
  'auth.me': (c) => c.auth.me.query(),
  'auth.refresh': (c) => c.auth.refresh.mutate(),
  'auth.logout': (c) => c.auth.logout.mutate(),
  'auth.logoutAll': (c) => c.auth.logoutAll.mutate(),
  'booking.list': (c) => c.booking.list.query(),
  // Push is off on this test server: the key is NOT_FOUND, for signed-in callers only.
  'notification.vapidPublicKey': (c) =>
    c.notification.vapidPublicKey.query().catch(async (error) => {
      if ((await codeOf(Promise.reject(error))) === 'NOT_FOUND') return null;
      throw error;
    }),
  'notification.subscribe': (c) =>
    c.notification.subscribe.mutate({
      endpoint: `https://push.example.com/${randomUUID()}`,
      keys: {
        p256dh:
          'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
        auth: 'tBHItJI5svbpez7KI4CCXg',
      },
    }),
  'notification.unsubscribe': (c) =>
    c.notification.unsubscribe.mutate({ endpoint: 'https://push.example.com/none' }),
  'conversation.list': (c) => c.conversation.list.query(),
  'conversation.createGroup': (c) =>
    c.conversation.createGroup.mutate({ title: 'Mine', participantIds: [] }),
  'user.contacts': async (c) => {
    const contacts = await c.user.contacts.query();
    const ids = contacts.items.map((u) => u.id);
    if (ids.includes(victim.client.user.id) || ids.includes(victim.practitioner.user.id)) {
      throw new Error('user.contacts leaked a stranger');
    }
    return contacts;
  },
};
const ownSubscriptions: Record<string, Sub> = {
  'conversation.onUpdate': (c, h) => c.conversation.onUpdate.subscribe(undefined, h),
};
const publicProcedures = ['auth.register', 'auth.login'];

/** A fingerprint of every durable table (presence rows follow sockets, so they are left out). */
async function fingerprint() {
  const tables = [
    'users',
    'bookings',
    'conversations',
    'conversation_participants',
    'messages',
    'message_events',
    'message_reactions',
    'attachments',
  ];
  const parts = [];
  for (const table of tables) {
    const [row] = await stack.db.execute<{ h: string | null }>(
      sql.raw(`select md5(string_agg(t::text, '|' order by t::text)) as h from ${table} t`),
    );
    parts.push(`${table}:${row?.h}`);
  }
  return parts.join(' ');
}

/** A raw socket that presents `token` and asks for a subscription; resolves with what it was told. */
function rawSubscribe(token: string, path: string) {
  return new Promise<{ code: string | undefined; closed: boolean }>((resolve, reject) => {
    const ws = new WebSocket(`${stack.wsUrl}?connectionParams=1`);
    let code: string | undefined;
    const timer = setTimeout(() => reject(new Error('no answer')), 5_000);
    ws.on('open', () => {
      ws.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
      ws.send(
        JSON.stringify({ id: 1, method: 'subscription', params: { path, input: { json: ids() } } }),
      );
    });
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      code ??= msg.error?.json?.data?.code;
    });
    ws.on('close', () => {
      clearTimeout(timer);
      resolve({ code, closed: true });
    });
  });
}

describe('the authorization matrix', () => {
  it('covers every procedure of the router', () => {
    const covered = [
      ...Object.keys(scoped),
      ...Object.keys(scopedSubscriptions),
      ...Object.keys(own),
      ...Object.keys(ownSubscriptions),
      ...publicProcedures,
    ].sort();
    expect(covered).toEqual(Object.keys(appRouter._def.procedures).sort());
  });

  it('refuses callers without a token or with an expired one, and changes nothing', async () => {
    const before = await fingerprint();
    for (const [name, call] of Object.entries({ ...scoped, ...own })) {
      for (const token of ['', expiredToken]) {
        expect(`${name}: ${await codeOf(call(stack.client(token)))}`).toBe(`${name}: UNAUTHORIZED`);
      }
    }
    // Sockets are refused at connect: the subscription never starts.
    for (const name of [...Object.keys(scopedSubscriptions), ...Object.keys(ownSubscriptions)]) {
      for (const token of ['', expiredToken, 'forged.token.here']) {
        const answer = await rawSubscribe(token, name);
        expect(`${name}: ${answer.code} ${answer.closed}`).toBe(`${name}: UNAUTHORIZED true`);
      }
    }
    expect(await fingerprint()).toBe(before);
  });

  it('refuses a valid user who is not a participant, and changes nothing', async () => {
    const before = await fingerprint();
    for (const [name, call] of Object.entries(scoped)) {
      expect(`${name}: ${await codeOf(call(outsider.client))}`).toMatch(
        new RegExp(`^${name}: (FORBIDDEN|NOT_FOUND)$`),
      );
    }
    for (const [name, subscribe] of Object.entries(scopedSubscriptions)) {
      const handlers = collector();
      const sub = subscribe(outsider.client, handlers);
      await handlers.until(() => handlers.errors.length > 0).catch(() => {});
      sub.unsubscribe();
      const code = (handlers.errors[0] as { data?: { code?: string } } | undefined)?.data?.code;
      expect(`${name}: ${code}`).toMatch(new RegExp(`^${name}: (FORBIDDEN|NOT_FOUND)$`));
      expect(handlers.items).toEqual([]);
    }
    expect(await fingerprint()).toBe(before);
  });

  it('lets a user act on their own account without revealing anyone else’s', async () => {
    const updates = collector<{ id: string }>();
    const sub = ownSubscriptions['conversation.onUpdate']?.(outsider.client, updates as never);
    await stack.listening(topics.user(outsider.user.id));
    await victim.client.client.message.send.mutate({
      ...ids(),
      clientId: randomUUID(),
      content: 'still private',
    });
    // Sign-out would end the outsider's session for the checks below (security.test.ts has it).
    for (const [name, call] of Object.entries(own))
      if (!name.startsWith('auth.logout')) await call(outsider.client);
    const bookings = await outsider.client.booking.list.query();
    const conversations = await outsider.client.conversation.list.query();
    expect(bookings.map((b) => b.id)).not.toContain(victim.booking.id);
    expect(conversations.items.map((c) => c.id)).not.toContain(victim.conversation.id);
    await sleep(300);
    expect(updates.items.map((u) => u.id)).not.toContain(victim.conversation.id);
    sub?.unsubscribe();
  });
});
