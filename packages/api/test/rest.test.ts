import { randomUUID } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../src';
import { notOverRest, restRoutes } from '../src/rest';
import { book, type Member, type Stack, startStack } from './harness';
import { startRestServer } from './rest-server';

let stack: Stack;
let rest: Awaited<ReturnType<typeof startRestServer>>;
let doc: OpenAPIV3_1.Document;
beforeAll(async () => {
  stack = await startStack();
  rest = await startRestServer(stack);
  doc = (await (await fetch(`${rest.base}/api/openapi.json`)).json()) as OpenAPIV3_1.Document;
});
afterAll(async () => {
  await rest?.close();
  await stack?.close();
});

type Call = { token?: string; body?: unknown; query?: Record<string, string | number> };

async function call(method: string, path: string, options: Call = {}) {
  const url = new URL(`${rest.base}${path}`);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, String(v));
  const res = await fetch(url, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    // biome-ignore lint/suspicious/noExplicitAny: bodies are checked against the document
    body: (await res.json()) as any,
  };
}

/** Calls an operation of the document and checks the answer against what it documents. */
const exercised = new Set<string>();
async function operation(
  method: 'get' | 'post' | 'put' | 'patch' | 'delete',
  template: string,
  params: Record<string, string>,
  options: Call = {},
) {
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '');
  const response = await call(method.toUpperCase(), `/api/v1${path}`, options);
  const op = doc.paths?.[template]?.[method] as OpenAPIV3_1.OperationObject | undefined;
  expect(op, `${method} ${template} is documented`).toBeDefined();
  const documented = op?.responses?.[String(response.status)] as
    | OpenAPIV3_1.ResponseObject
    | undefined;
  expect(documented, `${method} ${template} documents ${response.status}`).toBeDefined();
  expect(response.type).toMatch(/^application\/json/);
  const schema = documented?.content?.['application/json']?.schema;
  const validate = ajv().compile({
    $ref: `doc#/paths/${pointer(template)}/${method}/responses/${response.status}/content/application~1json/schema`,
  });
  expect(validate(response.body), JSON.stringify(validate.errors)?.slice(0, 500)).toBe(true);
  expect(schema).toBeDefined();
  if (response.status < 300) exercised.add(`${method} ${template}`);
  return response;
}

const pointer = (path: string) => path.replaceAll('~', '~0').replaceAll('/', '~1');
let compiled: Ajv2020 | null = null;
function ajv() {
  if (!compiled) {
    compiled = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(compiled);
    compiled.addSchema(
      JSON.parse(JSON.stringify(doc).replaceAll('"#/components/', '"doc#/components/')),
      'doc',
    );
  }
  return compiled;
}

describe('REST + OpenAPI, generated from the router', () => {
  it('serves an OpenAPI document that a validator accepts', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    await SwaggerParser.validate(structuredClone(doc) as never);
    expect(doc.servers?.[0]?.url).toBe(`${rest.base}/api/v1`);
  });

  it("shows the serving process's limits as the inputs' bounds", () => {
    const messages = doc.paths?.['/conversations/{conversationId}/messages'];
    const body = (messages?.post?.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)
      ?.content['application/json']?.schema as OpenAPIV3_1.SchemaObject | undefined;
    const content = body?.properties?.content as OpenAPIV3_1.SchemaObject | undefined;
    expect(content?.maxLength).toBe(stack.services.limits.maxContentLength);
    const limit = (messages?.get?.parameters as OpenAPIV3_1.ParameterObject[] | undefined)?.find(
      (p) => p.name === 'limit',
    )?.schema as OpenAPIV3_1.SchemaObject | undefined;
    expect(limit?.maximum).toBe(stack.services.limits.maxPageSize);
  });

  it('covers every query and mutation of the router (or says why not)', () => {
    for (const [path, procedure] of Object.entries(
      stack.router._def.procedures as unknown as Record<string, { _def: { type: string } }>,
    )) {
      if (procedure._def.type === 'subscription') continue;
      expect(path in restRoutes || path in notOverRest, `${path} has a REST route`).toBe(true);
    }
    expect(Object.keys(doc.paths ?? {}).length).toBeGreaterThan(10);
  });

  it('answers every documented operation with a real request, as documented', async () => {
    const email = `rest-${randomUUID().slice(0, 8)}@example.com`;
    const registered = await operation(
      'post',
      '/auth/register',
      {},
      {
        body: { email, password: 'password-123', name: 'Rita Rest', role: 'practitioner' },
      },
    );
    expect(registered.status).toBe(200);
    const login = await operation(
      'post',
      '/auth/login',
      {},
      {
        body: { email, password: 'password-123' },
      },
    );
    const token: string = login.body.token;
    const me = await operation('get', '/auth/me', {}, { token });
    expect(me.body).toMatchObject({ email, name: 'Rita Rest', role: 'practitioner' });
    await operation('post', '/auth/refresh', {}, { token });

    const client: Member = await stack.signUp('client');
    // A practitioner: anyone may add one (the contact rule); a stranger client is refused.
    const other: Member = await stack.signUp('practitioner');
    const booking = await operation(
      'post',
      '/bookings',
      {},
      {
        token,
        body: {
          practitionerId: me.body.id,
          clientId: client.user.id,
          startsAt: new Date(Date.now() + 86_400_000).toISOString(),
          endsAt: new Date(Date.now() + 90_000_000).toISOString(),
        },
      },
    );
    expect(booking.status).toBe(200);
    const bookings = await operation('get', '/bookings', {}, { token });
    expect(bookings.body.map((b: { id: string }) => b.id)).toContain(booking.body.id);
    const forBooking = await operation(
      'post',
      '/bookings/{bookingId}/conversation',
      { bookingId: booking.body.id },
      { token },
    );
    const conversationId: string = forBooking.body.id;
    await operation(
      'post',
      '/conversations/direct',
      {},
      { token, body: { userId: client.user.id } },
    );
    const group = await operation(
      'post',
      '/conversations/groups',
      {},
      {
        token,
        body: { title: 'REST group', participantIds: [client.user.id] },
      },
    );
    await operation(
      'post',
      '/conversations/{conversationId}/participants',
      { conversationId: group.body.id },
      { token, body: { userId: other.user.id } },
    );
    const removed = await operation(
      'delete',
      '/conversations/{conversationId}/participants/{userId}',
      { conversationId: group.body.id, userId: other.user.id },
      { token },
    );
    expect(removed.body.participants.map((p: { userId: string }) => p.userId)).not.toContain(
      other.user.id,
    );
    const renamed = await operation(
      'patch',
      '/conversations/{conversationId}',
      { conversationId: group.body.id },
      { token, body: { title: 'REST group, renamed' } },
    );
    expect(renamed.body.title).toBe('REST group, renamed');
    await operation(
      'post',
      '/conversations/{conversationId}/leave',
      { conversationId: group.body.id },
      { token },
    );
    const list = await operation('get', '/conversations', {}, { token, query: { limit: 2 } });
    expect(list.body.items).toHaveLength(2);
    await operation('get', '/conversations/{conversationId}', { conversationId }, { token });

    const sent = await operation(
      'post',
      '/conversations/{conversationId}/messages',
      { conversationId },
      { token, body: { clientId: randomUUID(), content: 'Hello over REST' } },
    );
    // The typed client sees what REST said, with the same fields.
    const typed = await client.client.message.list.query({ conversationId });
    expect(typed.items.at(-1)).toMatchObject({ id: sent.body.id, content: 'Hello over REST' });
    expect(typed.items.at(-1)?.createdAt.toISOString()).toBe(sent.body.createdAt);
    const page = await operation(
      'get',
      '/conversations/{conversationId}/messages',
      { conversationId },
      { token, query: { limit: 10 } },
    );
    expect(page.body.items.map((m: { id: string }) => m.id)).toEqual([sent.body.id]);
    const edited = await operation(
      'patch',
      '/messages/{messageId}',
      { messageId: sent.body.id },
      {
        token,
        body: { content: 'Edited over REST' },
      },
    );
    expect(edited.body.editedAt).not.toBeNull();
    const reacted = await operation(
      'post',
      '/messages/{messageId}/reactions',
      { messageId: sent.body.id },
      { token, body: { emoji: '👍' } },
    );
    expect(reacted.body.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [me.body.id] }]);
    const unreacted = await operation(
      'delete',
      '/messages/{messageId}/reactions/{emoji}',
      { messageId: sent.body.id, emoji: encodeURIComponent('👍') },
      { token },
    );
    expect(unreacted.body.reactions).toEqual([]);
    const reply = await operation(
      'post',
      '/conversations/{conversationId}/messages',
      { conversationId },
      { token, body: { clientId: randomUUID(), content: 'A reply', replyToId: sent.body.id } },
    );
    expect(reply.body.replyTo).toMatchObject({ id: sent.body.id, excerpt: 'Edited over REST' });
    const replies = await operation(
      'get',
      '/messages/{messageId}/replies',
      { messageId: sent.body.id },
      { token },
    );
    expect(replies.body.items.map((m: { id: string }) => m.id)).toEqual([reply.body.id]);
    const found = await operation('get', '/search', {}, { token, query: { query: 'edit' } });
    expect(found.body.items.map((h: { message: { id: string } }) => h.message.id)).toContain(
      sent.body.id,
    );
    const contacts = await operation('get', '/contacts', {}, { token });
    expect(contacts.body.items.map((c: { id: string }) => c.id)).toContain(client.user.id);
    await operation(
      'post',
      '/conversations/{conversationId}/typing',
      { conversationId },
      {
        token,
        body: { isTyping: true },
      },
    );
    const read = await operation(
      'post',
      '/conversations/{conversationId}/read',
      { conversationId },
      {
        token,
        body: { seq: sent.body.seq },
      },
    );
    expect(read.body.lastReadSeq).toBe(sent.body.seq);
    const receipts = await operation(
      'get',
      '/conversations/{conversationId}/receipts',
      { conversationId },
      { token },
    );
    expect(receipts.body).toHaveLength(2);
    const delivered = await operation(
      'post',
      '/conversations/{conversationId}/delivered',
      { conversationId },
      { token, body: { seq: sent.body.seq } },
    );
    expect(delivered.body.lastDeliveredSeq).toBe(sent.body.seq);
    const muted = await operation(
      'put',
      '/conversations/{conversationId}/muted',
      { conversationId },
      { token, body: { muted: true } },
    );
    expect(muted.body.muted).toBe(true);
    await operation(
      'get',
      '/conversations/{conversationId}/presence',
      { conversationId },
      { token },
    );
    const deleted = await operation(
      'delete',
      '/messages/{messageId}',
      { messageId: sent.body.id },
      {
        token,
      },
    );
    expect(deleted.body).toMatchObject({ content: '' });
    expect(deleted.body.deletedAt).not.toBeNull();
    // The platform's own services call REST too, with a service token and its scopes.
    const service = (
      await stack.services.serviceTokens.mint(`rest-${randomUUID().slice(0, 8)}`, [
        'users',
        'bookings',
        'system-messages',
      ])
    ).token;
    const upserted = await operation(
      'put',
      '/users/{externalId}',
      { externalId: `ext-${randomUUID()}` },
      {
        token: service,
        body: { email: `ext-${randomUUID()}@example.com`, name: 'Pat Platform', role: 'client' },
      },
    );
    expect(upserted.body.externalId).toMatch(/^ext-/);
    const moved = await operation(
      'post',
      '/bookings/{bookingId}/reschedule',
      { bookingId: booking.body.id },
      {
        token: service,
        body: {
          startsAt: new Date(Date.now() + 172_800_000).toISOString(),
          endsAt: new Date(Date.now() + 176_400_000).toISOString(),
        },
      },
    );
    expect(moved.status).toBe(200);
    const notice = await operation(
      'post',
      '/conversations/{conversationId}/system-messages',
      { conversationId },
      { token: service, body: { clientId: randomUUID(), content: 'Your session is booked' } },
    );
    expect(notice.body).toMatchObject({ kind: 'system', senderId: null });

    // Attachments: ask for an upload, then read it back with fresh URLs.
    const upload = await operation(
      'post',
      '/conversations/{conversationId}/attachments',
      { conversationId },
      { token, body: { name: 'worksheet.pdf', contentType: 'application/pdf', size: 100 } },
    );
    expect(upload.body.upload).toMatchObject({ method: 'PUT' });
    const attachment = await operation(
      'get',
      '/attachments/{attachmentId}',
      { attachmentId: upload.body.attachment.id },
      { token },
    );
    expect(attachment.body).toMatchObject({ name: 'worksheet.pdf', size: 100 });

    const cancelled = await operation(
      'post',
      '/bookings/{bookingId}/cancel',
      { bookingId: booking.body.id },
      { token },
    );
    expect(cancelled.body.status).toBe('cancelled');

    // Last: sessions end, and the token with them.
    await operation('post', '/auth/logout', {}, { token });
    const second = await operation(
      'post',
      '/auth/login',
      {},
      { body: { email, password: 'password-123' } },
    );
    await operation('post', '/auth/logout-all', {}, { token: second.body.token });
    expect((await call('GET', '/api/v1/auth/me', { token: second.body.token })).status).toBe(401);

    const documented = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item ?? {}).map((method) => `${method} ${path}`),
    );
    expect([...exercised].sort()).toEqual(documented.sort());
  });

  it('answers errors with the tRPC code, the HTTP status and the zod issues, as documented', async () => {
    const { user, token } = await stack.signUp('client');
    const stranger = await stack.signUp('client');
    const friend = await stack.signUp('practitioner');
    const conversation = await stack
      .client(token)
      .conversation.createGroup.mutate({ title: 'Errors', participantIds: [friend.user.id] });
    const conversationId = conversation.id;

    const anonymous = await operation('get', '/conversations/{conversationId}/messages', {
      conversationId,
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ code: 'UNAUTHORIZED' });
    const badToken = await operation('get', '/auth/me', {}, { token: 'nope' });
    expect(badToken.body).toMatchObject({ code: 'UNAUTHORIZED', message: 'Invalid token' });

    const notMember = await operation(
      'get',
      '/conversations/{conversationId}/messages',
      { conversationId },
      { token: stranger.token },
    );
    expect(notMember.status).toBe(403);
    expect(notMember.body.code).toBe('FORBIDDEN');

    const empty = await operation(
      'post',
      '/conversations/{conversationId}/messages',
      { conversationId },
      { token, body: { clientId: randomUUID(), content: '   ' } },
    );
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('BAD_REQUEST');
    expect(empty.body.issues).toEqual([
      expect.objectContaining({ path: ['content'], code: 'too_small' }),
    ]);
    expect(empty.body.message).toMatch(/^content: /);

    const badLimit = await operation(
      'get',
      '/conversations/{conversationId}/messages',
      { conversationId },
      { token, query: { limit: 1000 } },
    );
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.issues[0].path).toEqual(['limit']);

    // Nothing was stored by the refused calls.
    expect((await stack.client(token).message.list.query({ conversationId })).items).toEqual([]);

    const unknown = await call('GET', '/api/v1/nowhere', { token });
    expect(unknown.status).toBe(404);
    const notJson = await fetch(`${rest.base}/api/v1/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(notJson.status).toBe(415);

    // One send bucket per user, whichever door: REST hits the same limit as tRPC.
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const r = await call('POST', `/api/v1/conversations/${conversationId}/messages`, {
        token,
        body: { clientId: randomUUID(), content: `fast ${i}` },
      });
      statuses.push(r.status);
      if (r.status === 429) expect(r.body.code).toBe('TOO_MANY_REQUESTS');
    }
    expect(statuses).toContain(429);
    expect(user.id).toBeTruthy();
  });
});

describe('the old history endpoint GET /api/conversations/<id>/messages', () => {
  it('pages back through history, oldest first within a page, every message exactly once', async () => {
    const ada = await stack.signUp('practitioner');
    // Chloe books Ada first: the contact rule lets a client into a group only with a contact.
    const chloe = await stack.signUp('client');
    await book(ada, chloe);
    const group = await ada.client.conversation.createGroup.mutate({
      title: 'History',
      participantIds: [chloe.user.id],
    });
    const sent: Message[] = [];
    for (let i = 0; i < 17; i++) {
      const from = i % 3 === 0 ? chloe : ada;
      sent.push(
        await from.client.message.send.mutate({
          conversationId: group.id,
          clientId: randomUUID(),
          content: `history ${i}`,
        }),
      );
      if (i === 10) await new Promise((r) => setTimeout(r, 1_100)); // stay under the send limit
    }
    const edited = sent[4];
    const deleted = sent[5];
    if (!edited || !deleted) throw new Error('no messages');
    await ada.client.message.edit.mutate({ messageId: edited.id, content: 'history 4 (edited)' });
    await ada.client.message.delete.mutate({ messageId: deleted.id });
    const readUpTo = sent[8];
    if (!readUpTo) throw new Error('no message');
    await chloe.client.receipt.markRead.mutate({ conversationId: group.id, seq: readUpTo.seq });

    const seen: Record<string, unknown>[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const page = await call('GET', `/api/conversations/${group.id}/messages`, {
        token: chloe.token,
        query: { limit: 5, ...(cursor ? { cursor } : {}) },
      });
      expect(page.status).toBe(200);
      const ids = page.body.results.map((m: { message_id: string }) => m.message_id);
      const positions = ids.map((id: string) => sent.findIndex((m) => m.id === id));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      seen.unshift(...page.body.results);
      // Something said while paging does not shift the older pages.
      if (pages === 0)
        await ada.client.message.send.mutate({
          conversationId: group.id,
          clientId: randomUUID(),
          content: 'said while paging',
        });
      cursor = page.body.next;
      if (cursor === null) break;
    }
    const expected = sent.filter((m) => m.id !== deleted.id);
    expect(seen.map((m) => m.message_id)).toEqual(expected.map((m) => m.id));

    const first = sent[0];
    if (!first) throw new Error('no message');
    expect(seen[0]).toEqual({
      message_id: first.id,
      content: 'history 0',
      sender_id: chloe.user.id,
      sender_name: chloe.user.name,
      created_at: first.createdAt.toISOString(),
      timestamp: first.createdAt.toISOString(),
      is_edited: false,
      read_by: [],
    });
    const byId = new Map(seen.map((m) => [m.message_id, m]));
    expect(byId.get(edited.id)).toMatchObject({ content: 'history 4 (edited)', is_edited: true });
    // Chloe read up to message 8: Ada's messages up to there are read by her, later ones not.
    expect(byId.get(sent[7]?.id)).toMatchObject({
      sender_id: ada.user.id,
      read_by: [chloe.user.id],
    });
    expect(byId.get(sent[10]?.id)).toMatchObject({ sender_id: ada.user.id, read_by: [] });
  });

  it('answers 401 without a valid token, 403 for a non-member and 404 for an unknown conversation', async () => {
    const ada = await stack.signUp('practitioner');
    const stranger = await stack.signUp('client');
    const group = await ada.client.conversation.createGroup.mutate({
      title: 'Private',
      participantIds: [],
    });
    const path = `/api/conversations/${group.id}/messages`;
    const none = await call('GET', path);
    expect(none.status).toBe(401);
    expect(none.body.detail).toMatch(/token/i);
    expect((await call('GET', path, { token: 'garbage' })).status).toBe(401);
    const forbidden = await call('GET', path, { token: stranger.token });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');
    expect(
      (await call('GET', `/api/conversations/${randomUUID()}/messages`, { token: ada.token }))
        .status,
    ).toBe(404);
    expect(
      (await call('GET', '/api/conversations/not-a-uuid/messages', { token: ada.token })).status,
    ).toBe(404);
    expect((await call('GET', path, { token: ada.token, query: { cursor: 'x' } })).status).toBe(
      400,
    );
    expect((await call('GET', path, { token: ada.token })).body).toEqual({
      results: [],
      next: null,
    });
  });
});
